//! Encrypted backups (`noveto backup --encrypt`): a backup holds applicants' personal data and
//! password hashes, so one that leaves the machine can be sealed with a passphrase.
//!
//! Format: the magic line, a 16-byte salt, a 19-byte nonce prefix, then frames of
//! `[last: u8][length: u32 BE][ciphertext + tag]`, each at most 64 KiB of plain text, sealed with
//! XChaCha20-Poly1305 under a key derived from the passphrase by Argon2id. A frame's nonce is the
//! prefix, its number and its last-flag, so frames cannot be reordered, dropped or cut off
//! without the opening failing; the magic line is authenticated with every frame.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::io::{self, Read, Write};

pub const MAGIC: &[u8; 12] = b"NOVETO-ENC1\n";
const CHUNK: usize = 64 * 1024;
/// The shortest passphrase accepted for a new encrypted backup.
pub const MIN_PASSPHRASE: usize = 12;

fn derive(passphrase: &str, salt: &[u8; 16]) -> io::Result<XChaCha20Poly1305> {
    let params = argon2::Params::new(64 * 1024, 3, 1, Some(32)).map_err(|e| io::Error::other(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    a.hash_password_into(passphrase.as_bytes(), salt, &mut key).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(XChaCha20Poly1305::new(&key.into()))
}

fn nonce(prefix: &[u8; 19], counter: u32, last: bool) -> XNonce {
    let mut n = [0u8; 24];
    n[..19].copy_from_slice(prefix);
    n[19..23].copy_from_slice(&counter.to_be_bytes());
    n[23] = u8::from(last);
    n.into()
}

/// Seals everything written to it; [`SealWriter::finish`] writes the last frame.
pub struct SealWriter<W: Write> {
    inner: W,
    cipher: XChaCha20Poly1305,
    prefix: [u8; 19],
    counter: u32,
    buf: Vec<u8>,
}

impl<W: Write> SealWriter<W> {
    pub fn new(mut inner: W, passphrase: &str) -> io::Result<SealWriter<W>> {
        let mut salt = [0u8; 16];
        let mut prefix = [0u8; 19];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut prefix);
        let cipher = derive(passphrase, &salt)?;
        inner.write_all(MAGIC)?;
        inner.write_all(&salt)?;
        inner.write_all(&prefix)?;
        Ok(SealWriter { inner, cipher, prefix, counter: 0, buf: Vec::with_capacity(CHUNK) })
    }

    fn frame(&mut self, last: bool) -> io::Result<()> {
        let n = nonce(&self.prefix, self.counter, last);
        let ct = self
            .cipher
            .encrypt(&n, Payload { msg: &self.buf, aad: MAGIC })
            .map_err(|_| io::Error::other("加密失败"))?;
        self.inner.write_all(&[u8::from(last)])?;
        self.inner.write_all(&(ct.len() as u32).to_be_bytes())?;
        self.inner.write_all(&ct)?;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| io::Error::other("备份过大"))?;
        Ok(())
    }

    /// Writes the last frame and hands back the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.frame(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let take = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..take]);
        if self.buf.len() == CHUNK {
            self.frame(false)?;
        }
        Ok(take)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Does the file start like a sealed backup?
pub fn is_sealed(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// Opens a sealed backup frame by frame; any change, cut or wrong passphrase is an error.
pub struct OpenReader<R: Read> {
    inner: R,
    cipher: XChaCha20Poly1305,
    prefix: [u8; 19],
    counter: u32,
    plain: Vec<u8>,
    pos: usize,
    done: bool,
}

fn bad() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "口令不对，或备份文件被改动、不完整")
}

impl<R: Read> OpenReader<R> {
    pub fn new(mut inner: R, passphrase: &str) -> io::Result<OpenReader<R>> {
        let mut magic = [0u8; 12];
        inner.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "不是加密的 noveto 备份"));
        }
        let (mut salt, mut prefix) = ([0u8; 16], [0u8; 19]);
        inner.read_exact(&mut salt).map_err(|_| bad())?;
        inner.read_exact(&mut prefix).map_err(|_| bad())?;
        let cipher = derive(passphrase, &salt)?;
        let mut r = OpenReader { inner, cipher, prefix, counter: 0, plain: Vec::new(), pos: 0, done: false };
        // The first frame is opened at once: a wrong passphrase is told before anything is created.
        r.next_frame()?;
        Ok(r)
    }

    fn next_frame(&mut self) -> io::Result<()> {
        let mut head = [0u8; 5];
        self.inner.read_exact(&mut head).map_err(|_| bad())?;
        let last = match head[0] {
            0 => false,
            1 => true,
            _ => return Err(bad()),
        };
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > CHUNK + 16 {
            return Err(bad());
        }
        let mut ct = vec![0u8; len];
        self.inner.read_exact(&mut ct).map_err(|_| bad())?;
        let n = nonce(&self.prefix, self.counter, last);
        self.plain = self.cipher.decrypt(&n, Payload { msg: &ct, aad: MAGIC }).map_err(|_| bad())?;
        self.pos = 0;
        self.counter = self.counter.checked_add(1).ok_or_else(bad)?;
        if last {
            self.done = true;
            let mut rest = [0u8; 1];
            if self.inner.read(&mut rest)? != 0 {
                return Err(bad());
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_frame()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(text: &[u8], pass: &str) -> Vec<u8> {
        let mut w = SealWriter::new(Vec::new(), pass).unwrap();
        w.write_all(text).unwrap();
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], pass: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        OpenReader::new(sealed, pass)?.read_to_end(&mut out)?;
        Ok(out)
    }

    // Security issue, data at rest: a sealed backup opens with its passphrase only, and every
    // change — a flipped byte, a dropped or cut-off frame — is refused.
    #[test]
    fn a_sealed_backup_opens_only_whole_and_with_its_passphrase() {
        let text: Vec<u8> =
            (0..200_000u32).flat_map(|i| format!("{{\"phone\":\"1381234{i:04}\"}}\n").into_bytes()).collect();
        let sealed = seal(&text, "correct horse battery");
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(11).any(|w| w == b"13812340001"), "no plain text in the file");
        assert_eq!(open(&sealed, "correct horse battery").unwrap(), text);
        assert!(open(&sealed, "wrong passphrase!").is_err());
        let mut flipped = sealed.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(open(&flipped, "correct horse battery").is_err());
        let cut = &sealed[..sealed.len() - 100];
        assert!(open(cut, "correct horse battery").is_err());
        // Drop the last frame entirely: the reader never sees a last frame.
        let first_frames = 12 + 16 + 19 + 5 + CHUNK + 16;
        assert!(open(&sealed[..first_frames], "correct horse battery").is_err());
        assert_eq!(open(&seal(b"", "p"), "p").unwrap(), b"");
    }
}
