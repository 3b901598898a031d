//! Argument checks shared by every kernel and both binding layers, so a bad argument gets the
//! same message in Python and in the browser.

use crate::KernelError;

/// A window length `n` for a series of `len` values: 1 <= n <= len.
pub fn period(kernel: &str, name: &str, n: i64, len: usize) -> Result<usize, KernelError> {
    if n < 1 {
        return Err(KernelError::new(format!("{kernel}: {name} must be >= 1, got {n}")));
    }
    if n as u64 > len as u64 {
        return Err(KernelError::new(format!(
            "{kernel}: {name}={n} is longer than the series ({len} values)"
        )));
    }
    Ok(n as usize)
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
