package diff

import (
	"strconv"
	"strings"
)

// sameNumber reports whether two JSON number texts denote the same value, so
// that 1, 1.0, 10e-1 and 0.1e1 are one number. Comparing decimal digits
// rather than float64s keeps large integers such as ids exact.
func sameNumber(a, b string) bool {
	return a == b || canonicalNumber(a) == canonicalNumber(b)
}

// canonicalNumber rewrites a valid JSON number as a sign, its significant
// digits and a power of ten ("-12e3"); zero, with or without a sign, is "0".
func canonicalNumber(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mantissa, exp := s, "0"
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa, exp = s[:i], s[i+1:]
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return "0"
	}
	significant := strings.TrimRight(digits, "0")
	// value = significant × 10^(exp + shift)
	shift := int64(len(digits)-len(significant)) - int64(len(frac))
	sign := ""
	if neg {
		sign = "-"
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || e > 1<<62 || e < -(1<<62) {
		// An exponent beyond int64 is kept as written: two such numbers
		// compare equal only when written alike, which never calls
		// different values equal and costs at most a needless replace.
		return sign + significant + "e" + exp + "s" + strconv.FormatInt(shift, 10)
	}
	return sign + significant + "e" + strconv.FormatInt(e+shift, 10)
}
