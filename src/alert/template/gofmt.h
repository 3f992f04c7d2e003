// Go's fmt and strconv formatting, as far as alert templates need it:
// printf verbs with flags, width and precision, and float formatting that
// matches Go's byte for byte (Prometheus's humanize functions are
// fmt.Sprintf("%.4g", v) underneath).
#ifndef TEND_ALERT_TEMPLATE_GOFMT_H_
#define TEND_ALERT_TEMPLATE_GOFMT_H_

#include <string>
#include <string_view>
#include <vector>

#include "alert/template/value.h"

namespace tend::tmpl {

// strconv.FormatFloat(v, fmt, prec, 64) for fmt 'e', 'E', 'f', 'F', 'g', 'G'
// (prec -1: the shortest representation that reads back exactly), with
// fmt's spelling of the specials: "NaN", "+Inf", "-Inf".
std::string GoFormatFloat(double v, char fmt, int prec);

// fmt.Sprintf("%.4g", v), the heart of Prometheus's humanize functions.
std::string Go4g(double v);

// strconv.Quote: a double-quoted Go string literal.
std::string GoQuote(std::string_view s);

// fmt.Sprintf(format, args...): verbs %v %s %d %f %F %e %E %g %G %t %q %x
// %X %o %b %c %U %%, flags + - # 0 space, width and precision (also *).
// Mismatches print as Go does: "%!d(float64=1.5)", "%!s(MISSING)",
// "%!(EXTRA int=1)", "%!z(string=x)".
std::string GoSprintf(std::string_view format, const std::vector<Value>& args);

// fmt.Sprint (a space between operands when neither is a string) and
// fmt.Sprintln (spaces always, newline at the end).
std::string GoSprint(const std::vector<Value>& args);
std::string GoSprintln(const std::vector<Value>& args);

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_GOFMT_H_
