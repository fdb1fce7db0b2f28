//! Integer arithmetic with an immediate operand, as the instructions that
//! carry one compute it.

/// `x / d`, truncating toward zero as Rust's `/` does, for an immediate
/// `d` the verifier checked is neither 0 nor -1 (so it cannot fault). A
/// positive power of two is a shift (with the rounding fix-up for negative
/// `x`): `i / 2` in an index computation need not wait for a divider.
#[inline]
pub(super) fn div_by_imm(x: i64, d: i32) -> i64 {
    let d = i64::from(d);
    if d > 0 && d & (d - 1) == 0 {
        let bias = (x >> 63) & (d - 1);
        (x + bias) >> d.trailing_zeros()
    } else {
        x / d
    }
}

/// `x % d` (the sign of `x`, as Rust's `%`), for `d` as in [`div_by_imm`].
#[inline]
pub(super) fn rem_by_imm(x: i64, d: i32) -> i64 {
    let d64 = i64::from(d);
    if d64 > 0 && d64 & (d64 - 1) == 0 {
        x - (div_by_imm(x, d) << d64.trailing_zeros())
    } else {
        x % d64
    }
}

#[cfg(test)]
mod tests {
    use super::{div_by_imm, rem_by_imm};

    #[test]
    fn immediate_division_matches_rusts_operators() {
        let xs = [
            0,
            1,
            -1,
            2,
            -2,
            3,
            -3,
            7,
            -7,
            8,
            -8,
            9,
            -9,
            1023,
            -1023,
            1024,
            -1025,
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
        ];
        let ds = [
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            16,
            1 << 20,
            1 << 30,
            -2,
            -3,
            -4,
            -8,
            i32::MAX,
            i32::MIN,
        ];
        for &x in &xs {
            for &d in &ds {
                assert_eq!(div_by_imm(x, d), x / i64::from(d), "{x} / {d}");
                assert_eq!(rem_by_imm(x, d), x % i64::from(d), "{x} % {d}");
            }
        }
        // And a sweep of small values through every power of two.
        for x in -5000..5000 {
            for k in 0..31 {
                let d = 1i32 << k;
                assert_eq!(div_by_imm(x, d), x / i64::from(d));
                assert_eq!(rem_by_imm(x, d), x % i64::from(d));
            }
        }
    }
}
