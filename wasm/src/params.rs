//! Argument checks shared by every kernel and both binding layers, so a bad argument gets the
//! same message in Python and in the browser.

use crate::KernelError;

/// The longest window any kernel accepts (16.7M bars, 32 years of minutes). Windows are allocated
/// up front, so this bounds what a streaming state asks for, and it keeps `usize` arithmetic the
/// same on 32-bit WASM and 64-bit native builds.
pub const MAX_PERIOD: i64 = 1 << 24;

/// A window length `n` for a series of `len` values: 1 <= n <= len.
pub fn period(kernel: &str, name: &str, n: i64, len: usize) -> Result<usize, KernelError> {
    period_from(kernel, name, n, 1, len)
}

/// A window length `n` with its own lower bound (e.g. 2 for a regression slope), at most `len`.
/// Streaming states, which have no series yet, pass `usize::MAX`.
pub fn period_from(kernel: &str, name: &str, n: i64, min: i64, len: usize) -> Result<usize, KernelError> {
    if n < min {
        return Err(KernelError::new(format!("{kernel}: {name} must be >= {min}, got {n}")));
    }
    if n > MAX_PERIOD {
        return Err(KernelError::new(format!("{kernel}: {name}={n} is too large (at most {MAX_PERIOD})")));
    }
    if n as u64 > len as u64 {
        return Err(KernelError::new(format!(
            "{kernel}: {name}={n} is longer than the series ({len} values)"
        )));
    }
    Ok(n as usize)
}

/// A float parameter: finite and at least `min`.
pub fn at_least(kernel: &str, name: &str, v: f64, min: f64) -> Result<f64, KernelError> {
    if !v.is_finite() {
        return Err(KernelError::new(format!("{kernel}: {name} must be a finite number, got {v}")));
    }
    if v < min {
        return Err(KernelError::new(format!("{kernel}: {name} must be >= {min}, got {v}")));
    }
    Ok(v)
}

/// An integer argument that arrived as a JS number: it must be finite and whole.
pub fn whole_number(kernel: &str, name: &str, v: f64) -> Result<i64, KernelError> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.007_199_254_740_991e15 {
        return Err(KernelError::new(format!("{kernel}: {name} must be an integer, got {v}")));
    }
    Ok(v as i64)
}

/// Output buffers must be exactly as long as the input.
pub fn same_length(kernel: &str, what: &str, got: usize, want: usize) -> Result<(), KernelError> {
    if got != want {
        return Err(KernelError::new(format!(
            "{kernel}: {what} has {got} values, expected {want}"
        )));
    }
    Ok(())
}

/// Input columns of one kernel (e.g. high, low, close) must be equally long; returns that length.
pub fn columns(kernel: &str, inputs: &[(&str, usize)]) -> Result<usize, KernelError> {
    let (first, len) = inputs[0];
    for &(name, got) in &inputs[1..] {
        if got != len {
            return Err(KernelError::new(format!(
                "{kernel}: {name} has {got} values but {first} has {len}"
            )));
        }
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds() {
        assert_eq!(period("sma", "n", 1, 1), Ok(1));
        assert_eq!(period("sma", "n", 5, 5), Ok(5));
        assert_eq!(period("sma", "n", 0, 5).unwrap_err().message(), "sma: n must be >= 1, got 0");
        assert!(period("sma", "n", -3, 5).is_err());
        assert_eq!(
            period("sma", "n", 6, 5).unwrap_err().message(),
            "sma: n=6 is longer than the series (5 values)"
        );
        assert!(period("sma", "n", 1, 0).is_err());
        assert_eq!(
            period_from("sma", "n", 1 << 40, 1, usize::MAX).unwrap_err().message(),
            "sma: n=1099511627776 is too large (at most 16777216)"
        );
        assert_eq!(period_from("linearreg_slope", "n", 1, 2, 9).unwrap_err().message(),
            "linearreg_slope: n must be >= 2, got 1");
    }

    #[test]
    fn float_parameters() {
        assert_eq!(at_least("bbands", "k_up", 2.0, 0.0), Ok(2.0));
        assert_eq!(at_least("sar", "acceleration", -0.1, 0.0).unwrap_err().message(),
            "sar: acceleration must be >= 0, got -0.1");
        assert_eq!(at_least("bbands", "k_up", f64::NAN, 0.0).unwrap_err().message(),
            "bbands: k_up must be a finite number, got NaN");
    }

    #[test]
    fn columns_share_a_length() {
        assert_eq!(columns("atr", &[("high", 3), ("low", 3), ("close", 3)]), Ok(3));
        assert_eq!(
            columns("atr", &[("high", 3), ("low", 2), ("close", 3)]).unwrap_err().message(),
            "atr: low has 2 values but high has 3"
        );
    }

    #[test]
    fn whole_numbers_only() {
        assert_eq!(whole_number("sma", "n", 3.0, ), Ok(3));
        assert!(whole_number("sma", "n", 3.5).is_err());
        assert!(whole_number("sma", "n", f64::NAN).is_err());
        assert!(whole_number("sma", "n", f64::INFINITY).is_err());
        assert!(whole_number("sma", "n", 1e300).is_err());
    }
}
