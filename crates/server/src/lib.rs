//! noveto's server: the JSON API, the server-rendered pages, authentication and the background
//! job runner — adapters over the application layer (`noveto-app`).

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod guard;
pub mod i18n;
pub mod idempotency;
pub mod jobs;
pub mod openapi;
pub mod pages;
pub mod ui;

use noveto_store::{Store, StoreError};
use std::path::PathBuf;

pub use noveto_app::{App, Clock, META_POLICY, cache, save_policy};

/// The server's state: the application layer plus what only the server has (its data
/// directory, the cookie setting). Dereferences to [`App`].
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    /// The interface's locale for visitors who have not chosen one (`serve --locale`).
    pub locale: i18n::Locale,
    /// Proxies whose `X-Forwarded-For` is believed (`serve --trusted-proxy`).
    pub trusted_proxies: std::sync::Arc<Vec<auth::Net>>,
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// Loads the application layer from the store (its search indexes included).
    pub async fn load(store: Store, clock: Clock, data_dir: PathBuf) -> Result<AppState, StoreError> {
        let app = App::load(store, clock).await?;
        Ok(AppState {
            app,
            data_dir,
            secure_cookies: false,
            locale: i18n::Locale::Hans,
            trusted_proxies: Default::default(),
        })
    }
}

/// The whole application: API, pages, static assets, with a body limit and panic guard.
pub fn app(state: AppState) -> axum::Router {
    let (api, _) = api::routes();
    let api = api
        .route("/api/v1/{*rest}", axum::routing::any(api::not_found))
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer));
    axum::Router::new()
        .merge(api)
        .merge(pages::routes())
        .layer(axum::middleware::from_fn(guard::layer))
        .layer(axum::middleware::from_fn(pages::html_errors))
        .layer(axum::middleware::from_fn_with_state(state.locale, i18n::layer))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(state.trusted_proxies.clone(), auth::client_addr))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(error::ApiError::internal())
        }))
        .with_state(state)
}

/// Headers on every response (pages, documents, API): a Content-Security-Policy without inline
/// script and with `frame-ancestors 'none'` (the veto decision form cannot be framed), nosniff,
/// and a referrer policy that keeps case URLs inside the site.
pub async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    r
}

/// Serves until the process is stopped (see [`stop_signal`]); runs the job workers beside it.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, stop_signal()).await
}

/// [`serve`] until `stop` completes.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    jobs::spawn(state.clone());
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(stop)
        .await
}

/// Completes on SIGINT (Ctrl+C) or SIGTERM (what systemd and container runtimes send): the
/// server then finishes the requests it holds, answers no new ones, and exits 0. The handlers
/// are installed when this is called — call it before telling anyone the server is up.
pub fn stop_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        {
            match (term, int) {
                (Some(mut t), Some(mut i)) => {
                    tokio::select! {
                        _ = t.recv() => {}
                        _ = i.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping: the requests in hand are finished first");
    }
}
