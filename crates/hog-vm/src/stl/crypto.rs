//! Hashes and HMAC chains (hog-stl.md §2.8): `md5`, `sha1`, `sha256` with an output encoding,
//! their `…Hex` forms, and `sha1HmacChain` / `sha256HmacChain`.
//!
//! Digests are over the UTF-8 bytes of the input. Encodings are Node's `digest()` names: `hex`
//! (default), `base64`, `base64url` (URL-safe alphabet, no padding), `binary`/`latin1` (one
//! character per byte, U+0000–U+00FF).

use super::strings::{arg, base64_encode_bytes, type_error};
use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::value::Value;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "md5",
        min_args: 1,
        max_args: 2,
        call: md5,
    },
    NativeDef {
        name: "md5Hex",
        min_args: 1,
        max_args: 1,
        call: md5_hex,
    },
    NativeDef {
        name: "sha1",
        min_args: 1,
        max_args: 2,
        call: sha1,
    },
    NativeDef {
        name: "sha1Hex",
        min_args: 1,
        max_args: 1,
        call: sha1_hex,
    },
    NativeDef {
        name: "sha256",
        min_args: 1,
        max_args: 2,
        call: sha256,
    },
    NativeDef {
        name: "sha256Hex",
        min_args: 1,
        max_args: 1,
        call: sha256_hex,
    },
    NativeDef {
        name: "sha1HmacChain",
        min_args: 1,
        max_args: 2,
        call: sha1_hmac_chain,
    },
    NativeDef {
        name: "sha1HmacChainHex",
        min_args: 1,
        max_args: 1,
        call: sha1_hmac_chain_hex,
    },
    NativeDef {
        name: "sha256HmacChain",
        min_args: 1,
        max_args: 2,
        call: sha256_hmac_chain,
    },
    NativeDef {
        name: "sha256HmacChainHex",
        min_args: 1,
        max_args: 1,
        call: sha256_hmac_chain_hex,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha1,
    Sha256,
}

fn digest(algorithm: Algorithm, data: &[u8]) -> Vec<u8> {
    match algorithm {
        Algorithm::Md5 => Md5::digest(data).to_vec(),
        Algorithm::Sha1 => Sha1::digest(data).to_vec(),
        Algorithm::Sha256 => Sha256::digest(data).to_vec(),
    }
}

fn hmac(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Result<Vec<u8>, VmError> {
    fn run<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Result<Vec<u8>, VmError> {
        // HMAC takes keys of any length; the error arm exists only in the trait's signature.
        let mut mac = <M as KeyInit>::new_from_slice(key)
            .map_err(|_| VmError::runtime("HMAC key rejected"))?;
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
    match algorithm {
        Algorithm::Md5 => run::<Hmac<Md5>>(key, message),
        Algorithm::Sha1 => run::<Hmac<Sha1>>(key, message),
        Algorithm::Sha256 => run::<Hmac<Sha256>>(key, message),
    }
}

/// The output encodings Node's `digest()` offers for text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Hex,
    Base64,
    Base64Url,
    Latin1,
}

fn encoding(function: &str, v: &Value) -> Result<Encoding, VmError> {
    match v {
        Value::Null => Ok(Encoding::Hex),
        Value::Str(s) => match s.as_str() {
            "hex" => Ok(Encoding::Hex),
            "base64" => Ok(Encoding::Base64),
            "base64url" => Ok(Encoding::Base64Url),
            "binary" | "latin1" => Ok(Encoding::Latin1),
            other => Err(VmError::runtime(format!(
                "{function}(): unsupported encoding '{other}' (use 'hex', 'base64', 'base64url' or 'binary')"
            ))),
        },
        other => Err(type_error(function, "an encoding name", other)),
    }
}

fn encode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut out = String::with_capacity(bytes.len() * 2);
            for &b in bytes {
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
            out
        }
        Encoding::Base64 => base64_encode_bytes(bytes, false),
        Encoding::Base64Url => base64_encode_bytes(bytes, true),
        Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `md5(s[, enc])` and friends: null in, null out.
fn hash(
    ctx: &mut NativeCtx<'_>,
    function: &str,
    algorithm: Algorithm,
    data: &Value,
    enc: &Value,
) -> Result<Value, VmError> {
    let encoding = encoding(function, enc)?;
    match data {
        Value::Null => Ok(Value::Null),
        Value::Str(s) => ctx.string(encode(&digest(algorithm, s.as_bytes()), encoding)),
        other => Err(type_error(function, "a string", other)),
    }
}

fn md5(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "md5", Algorithm::Md5, &args[0], arg(args, 1))
}

fn md5_hex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "md5Hex", Algorithm::Md5, &args[0], &Value::Null)
}

fn sha1(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "sha1", Algorithm::Sha1, &args[0], arg(args, 1))
}

fn sha1_hex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "sha1Hex", Algorithm::Sha1, &args[0], &Value::Null)
}

fn sha256(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "sha256", Algorithm::Sha256, &args[0], arg(args, 1))
}

fn sha256_hex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hash(ctx, "sha256Hex", Algorithm::Sha256, &args[0], &Value::Null)
}

/// HMAC chain over `[key, m1, m2, …]`: `h = HMAC(key, m1)`, then `h = HMAC(h, m)` (the raw
/// digest bytes as key) for each further element. At least two elements are required.
fn hmac_chain(
    ctx: &mut NativeCtx<'_>,
    function: &str,
    algorithm: Algorithm,
    list: &Value,
    enc: &Value,
) -> Result<Value, VmError> {
    let encoding = encoding(function, enc)?;
    let items: Vec<Value> = match list {
        Value::Array(a) => a.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        other => return Err(type_error(function, "an array of strings", other)),
    };
    if items.len() < 2 {
        return Err(VmError::runtime(
            "Data array must contain at least two elements.",
        ));
    }
    let mut parts = Vec::with_capacity(items.len());
    for item in &items {
        match item {
            Value::Str(s) => parts.push(s.as_bytes()),
            other => return Err(type_error(function, "an array of strings", other)),
        }
    }
    let mut h = hmac(algorithm, parts[0], parts[1])?;
    for message in &parts[2..] {
        h = hmac(algorithm, &h, message)?;
    }
    ctx.string(encode(&h, encoding))
}

fn sha1_hmac_chain(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hmac_chain(
        ctx,
        "sha1HmacChain",
        Algorithm::Sha1,
        &args[0],
        arg(args, 1),
    )
}

fn sha1_hmac_chain_hex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hmac_chain(
        ctx,
        "sha1HmacChainHex",
        Algorithm::Sha1,
        &args[0],
        &Value::Null,
    )
}

fn sha256_hmac_chain(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hmac_chain(
        ctx,
        "sha256HmacChain",
        Algorithm::Sha256,
        &args[0],
        arg(args, 1),
    )
}

fn sha256_hmac_chain_hex(ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    hmac_chain(
        ctx,
        "sha256HmacChainHex",
        Algorithm::Sha256,
        &args[0],
        &Value::Null,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, args: Vec<Value>) -> String {
        super::super::display_call_for_test(name, args)
    }

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    fn list(items: &[&str]) -> Value {
        Value::array(items.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn corpus_vectors() {
        let secure = s("this is a secure string");
        assert_eq!(
            p("md5Hex", vec![secure.clone()]),
            "e7b466647ea215dbe59b00c756560911"
        );
        assert_eq!(
            p("sha256Hex", vec![secure]),
            "5216c0931310b31737ef30353830c234901283544e934f54eb75f622cfb86c9d"
        );
        assert_eq!(p("md5Hex", vec![Value::Null]), "null");
        assert_eq!(p("sha256Hex", vec![Value::Null]), "null");
        assert_eq!(
            p(
                "sha256HmacChainHex",
                vec![list(&["1", "string", "more", "keys"])]
            ),
            "826820d7eeca97f26ca18096be85fed346f6fd9cc18d64e72c935bea3450dbd9"
        );
        assert_eq!(
            p("sha256HmacChain", vec![list(&["key", "data"])]),
            "5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0"
        );
        assert_eq!(
            p("md5", vec![s("hello"), s("hex")]),
            "5d41402abc4b2a76b9719d911017c592"
        );
        assert_eq!(
            p("sha256", vec![s("hello")]),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn encodings_match_node() {
        // Values computed with Node's crypto module.
        assert_eq!(
            p("md5", vec![s("hello"), s("base64")]),
            "XUFAKrxLKna5cZ2REBfFkg=="
        );
        assert_eq!(
            p("md5", vec![s("hello"), s("base64url")]),
            "XUFAKrxLKna5cZ2REBfFkg"
        );
        assert_eq!(
            p("md5", vec![s("hello"), s("binary")]),
            "]A@*\u{bc}K*v\u{b9}q\u{9d}\u{91}\u{10}\u{17}\u{c5}\u{92}"
        );
        assert_eq!(
            p("sha1Hex", vec![s("hello")]),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        assert_eq!(
            p("sha1", vec![s("")]),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            p("sha1HmacChainHex", vec![list(&["key", "data"])]),
            "104152c5bfdca07bc633eebd46199f0255c9f49d"
        );
        assert_eq!(
            p("md5", vec![s("x"), s("utf16")]),
            "ERROR: md5(): unsupported encoding 'utf16' (use 'hex', 'base64', 'base64url' or 'binary')"
        );
    }

    #[test]
    fn chain_arguments() {
        assert_eq!(
            p("sha256HmacChainHex", vec![list(&["only"])]),
            "ERROR: Data array must contain at least two elements."
        );
        assert_eq!(
            p("sha256HmacChainHex", vec![Value::Null]),
            "ERROR: sha256HmacChainHex() expects an array of strings, got null"
        );
        let mixed = Value::array(vec![s("k"), Value::Int(1)]);
        assert!(p("sha256HmacChainHex", vec![mixed]).starts_with("ERROR:"));
    }
}
