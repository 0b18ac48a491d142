//! `isIPAddressInRange(ip, cidr)` (hog-stl.md §2.9).
//!
//! Addresses are parsed strictly (dotted quads without leading zeros; IPv6 text with at most one
//! `::` and 1–4 hex digits per group, optionally ending in a dotted quad). Anything malformed, a
//! missing or non-decimal prefix, a prefix longer than the family allows, or a v4/v6 mismatch
//! answers `false` — never an error, as in PostHog.

use super::{NativeCtx, NativeDef};
use crate::VmError;
use crate::value::Value;
use std::net::IpAddr;

pub(crate) const FUNCTIONS: &[NativeDef] = &[NativeDef {
    name: "isIPAddressInRange",
    min_args: 2,
    max_args: 2,
    call: is_ip_in_range,
}];

fn is_ip_in_range(_ctx: &mut NativeCtx<'_>, args: &[Value]) -> Result<Value, VmError> {
    Ok(Value::Bool(match (&args[0], &args[1]) {
        (Value::Str(ip), Value::Str(cidr)) => ip_in_cidr(ip, cidr),
        _ => false,
    }))
}

/// True iff `ip` lies within `cidr` (`addr/prefix`) and both are of the same family.
pub fn ip_in_cidr(ip: &str, cidr: &str) -> bool {
    let Some((net, prefix)) = cidr.split_once('/') else {
        return false;
    };
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(prefix) = prefix.parse::<u32>() else {
        return false;
    };
    let (Ok(ip), Ok(net)) = (ip.parse::<IpAddr>(), net.parse::<IpAddr>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if prefix <= 32 => prefix_matches(
            u128::from(u32::from(a)),
            u128::from(u32::from(n)),
            prefix,
            32,
        ),
        (IpAddr::V6(a), IpAddr::V6(n)) if prefix <= 128 => {
            prefix_matches(u128::from(a), u128::from(n), prefix, 128)
        }
        _ => false,
    }
}

/// Whether the top `prefix` of `width` bits of `a` and `b` agree.
fn prefix_matches(a: u128, b: u128, prefix: u32, width: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = width - prefix;
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_ip_cases() {
        // Every case of the corpus `ip` program, in order, with its expected answer.
        let cases: &[(&str, &str, bool)] = &[
            ("192.168.1.1", "192.168.1.1/32", true),
            ("192.168.1.5", "192.168.1.0/24", true),
            ("192.168.1.5", "192.0.0.0/8", true),
            ("192.168.1.5", "192.168.2.0/24", false),
            ("192.168.1.255", "192.168.1.0/24", true),
            ("192.168.1.0", "192.168.1.0/24", true),
            ("8.8.8.8", "0.0.0.0/0", true),
            ("192.168.1.1", "192.168.1.1/32", true),
            ("192.168.1.2", "192.168.1.1/32", false),
            ("2001:db8::1", "2001:db8::1/128", true),
            ("2001:db8::1:5", "2001:db8::1:0/112", true),
            ("2001:db8::1:5", "2001:db8::/32", true),
            ("2001:db8:1::5", "2001:db8:2::/48", false),
            ("2001:db8::ffff", "2001:db8::/64", true),
            ("2001:db8::", "2001:db8::/64", true),
            ("2001:db8::1", "::/0", true),
            ("2001:db8::1", "2001:db8:0:0:0:0:0:0/64", true),
            ("2001:db8:0:0:0:0:0:1", "2001:db8::/64", true),
            ("2001:db8::1", "2001:db8::1/128", true),
            ("2001:db8::2", "2001:db8::1/128", false),
            ("", "192.168.1.0/24", false),
            ("192.168.1.1", "", false),
            ("192.168.1.1", "192.168.1.0", false),
            ("192.168.1.1", "192.168.1.0/", false),
            ("192.168.1.1", "/24", false),
            ("192.168.1.1", "192.168.1.0/33", false),
            ("2001:db8::1", "2001:db8::/129", false),
            ("192.168.1.1", "192.168.1.0/-1", false),
            ("192.168.1.1", "192.168.1.0/abc", false),
            ("192.168.1", "192.168.1.0/24", false),
            ("192.168.1.1.5", "192.168.1.0/24", false),
            ("192.168.1.256", "192.168.1.0/24", false),
            ("192.168.1.a", "192.168.1.0/24", false),
            ("2001:db8", "2001:db8::/32", false),
            ("2001:db8:::1", "2001:db8::/32", false),
            ("2001:db8:gggg::1", "2001:db8::/32", false),
            ("2001:db8::1::2", "2001:db8::/32", false),
            ("192.168.1.1", "2001:db8::/32", false),
            ("2001:db8::1", "192.168.1.0/24", false),
            ("127.0.0.1", "127.0.0.0/8", true),
            ("255.255.255.255", "0.0.0.0/0", true),
            ("::1", "::1/128", true),
            ("fe80::1", "fe80::/10", true),
        ];
        for &(ip, cidr, want) in cases {
            assert_eq!(
                ip_in_cidr(ip, cidr),
                want,
                "isIPAddressInRange({ip:?}, {cidr:?})"
            );
        }
    }

    #[test]
    fn edges() {
        assert!(
            !ip_in_cidr("192.168.01.1", "192.168.1.0/24"),
            "leading zeros are rejected"
        );
        assert!(!ip_in_cidr("192.168.1.1", "192.168.1.0/24/8"));
        assert!(!ip_in_cidr("192.168.1.1", "192.168.1.0/ 24"));
        assert!(!ip_in_cidr("192.168.1.1", "192.168.1.0/0024"));
        assert!(ip_in_cidr("10.1.2.3", "10.0.0.0/7"));
        assert!(!ip_in_cidr("12.1.2.3", "10.0.0.0/7"));
        assert!(ip_in_cidr("::ffff:192.168.1.1", "::ffff:0:0/96"));
        assert!(ip_in_cidr("fe80::1", "fe80::/0"));
        assert!(
            !ip_in_cidr("fe80::1", "0.0.0.0/0"),
            "/0 matches its own family only"
        );
        assert!(ip_in_cidr("FE80::A", "fe80::/64"));
    }

    #[test]
    fn non_strings_are_false() {
        let def = super::super::lookup("isIPAddressInRange").unwrap();
        let mut mem = crate::memory::Memory::new(None);
        let mut env = crate::env::Env::new();
        let mut ctx = NativeCtx::new(&mut mem, &[], &mut env);
        for args in [
            [Value::Null, Value::from("192.168.1.0/24")],
            [Value::from("192.168.1.1"), Value::Null],
            [Value::Int(123), Value::from("192.168.1.0/24")],
            [Value::from("192.168.1.1"), Value::Int(24)],
        ] {
            assert!(matches!(
                (def.call)(&mut ctx, &args),
                Ok(Value::Bool(false))
            ));
        }
    }
}
