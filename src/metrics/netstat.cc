// The netstat collector: /proc/net/netstat, /proc/net/snmp and
// /proc/net/snmp6, as node_exporter 1.5 reports them.
//
// netstat and snmp hold pairs of lines, "Proto: Name1 Name2 ..." followed by
// "Proto: value1 value2 ..."; snmp6 holds "Ip6InReceives  value" lines,
// split into protocol and field after the first '6'. Only the fields that
// fully match node_exporter's default --collector.netstat.fields are
// reported. Which fields those are is worked out once per header line (and
// once per snmp6 name) and kept while the kernel prints the same header, so
// the regular expression runs only when the kernel changes.
#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/collectors_net.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

// node_exporter's --collector.netstat.fields default, matched against
// "<Proto>_<Field>".
constexpr std::string_view kDefaultFields =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|"
    "Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|"
    "TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|"
    "RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"
    "RcvbufErrors|SndbufErrors))$";

// The kernel prints unsigned counters and a few signed values (Tcp MaxConn
// is -1).
bool ParseValue(std::string_view s, double* out) {
  uint64_t u;
  if (ParseUint64(s, &u)) {
    *out = static_cast<double>(u);
    return true;
  }
  int64_t i;
  if (ParseInt64(s, &i)) {
    *out = static_cast<double>(i);
    return true;
  }
  return false;
}

// A field that is reported, with its metric name and help built once.
struct Column {
  size_t index = 0;  // In the fields of the line, 0 being "Proto:".
  std::string name;
  std::string help;
};

// The parsed form of one header line of netstat or snmp.
struct Section {
  std::string header;  // The line as the kernel printed it.
  bool valid = false;  // Header starts with "Proto:".
  size_t field_count = 0;
  std::vector<Column> kept;
};

// One line of snmp6, by position.
struct Snmp6Field {
  std::string key;  // "Ip6InOctets".
  bool keep = false;
  std::string name;
  std::string help;
};

class NetstatCollector : public Collector {
 public:
  explicit NetstatCollector(const CollectorOptions& options)
      : env_(options.env),
        netstat_path_(options.paths.proc + "/net/netstat"),
        snmp_path_(options.paths.proc + "/net/snmp"),
        snmp6_path_(options.paths.proc + "/net/snmp6"),
        fields_re_(kDefaultFields, RE2::Quiet) {}

  std::string_view name() const override { return "netstat"; }

  Status Collect(MetricSet* out) override {
    ParseErrors errors;
    CollectPairs(netstat_path_, &netstat_sections_, out, &errors);
    CollectPairs(snmp_path_, &snmp_sections_, out, &errors);
    CollectSnmp6(out, &errors);
    return errors.ToStatus();
  }

 private:
  // The "Proto" of "Proto: ...", or empty if the line does not start so.
  static std::string_view Protocol(std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return {};
    std::string_view proto = line.substr(0, colon);
    if (proto.find_first_of(" \t") != std::string_view::npos) return {};
    return proto;
  }

  bool Wanted(std::string_view proto, std::string_view field) {
    key_buf_.assign(proto);
    key_buf_.push_back('_');
    key_buf_.append(field);
    return RE2::FullMatch(key_buf_, fields_re_);
  }

  void BuildSection(std::string_view header, Section* s) {
    s->header.assign(header);
    s->kept.clear();
    SplitFields(header, &fields_);
    s->field_count = fields_.size();
    std::string_view proto = Protocol(header);
    s->valid = !proto.empty() && fields_[0].size() == proto.size() + 1;
    if (!s->valid) return;
    for (size_t i = 1; i < fields_.size(); ++i) {
      if (!Wanted(proto, fields_[i])) continue;
      Column c;
      c.index = i;
      c.name.append("node_netstat_")
          .append(proto)
          .append("_")
          .append(fields_[i]);
      c.help.append("Statistic ").append(proto).append(fields_[i]).append(".");
      s->kept.push_back(std::move(c));
    }
  }

  // Appends one sample unless the family already has one, which only a
  // repeated section or field could cause.
  bool Emit(const std::string& name, const std::string& help, double value,
            MetricSet* out) {
    MetricFamily* f = out->Family(name, MetricType::kUntyped, help);
    if (!f->samples.empty()) return false;
    f->samples.push_back({{}, value});
    return true;
  }

  void CollectPairs(const std::string& path, std::vector<Section>* sections,
                    MetricSet* out, ParseErrors* errors) {
    Status read = env_->ReadFile(path, &buf_);
    if (!read.ok()) {
      errors->Add(read);
      return;
    }
    if (buf_.empty()) {
      errors->AddFile(path, "file is empty");
      return;
    }
    size_t n = 0;  // Sections parsed in this cycle.
    std::string_view header;
    size_t header_no = 0;
    LineReader lines(buf_);
    std::string_view line;
    while (lines.Next(&line)) {
      if (Trim(line).empty()) continue;
      if (header_no == 0) {
        header = line;
        header_no = lines.line_number();
        continue;
      }
      std::string_view proto = Protocol(header);
      if (proto.empty() || Protocol(line) != proto) {
        // Not a pair: report the header and start again from this line, so
        // one lost line costs one section, not the rest of the file.
        errors->AddLine(path, header_no, header,
                        proto.empty() ? "expected \"Protocol: Field ...\""
                                      : "header without its values line");
        header = line;
        header_no = lines.line_number();
        continue;
      }
      if (n == sections->size()) sections->emplace_back();
      Section& s = (*sections)[n++];
      if (s.header != header) BuildSection(header, &s);
      ParseValues(path, s, line, lines.line_number(), out, errors);
      header_no = 0;
    }
    if (header_no != 0) {
      errors->AddLine(path, header_no, header,
                      "header without its values line");
    }
    lines.Finish(path, errors, /*empty_is_error=*/false);
    sections->resize(n);
  }

  void ParseValues(const std::string& path, const Section& s,
                   std::string_view line, size_t line_no, MetricSet* out,
                   ParseErrors* errors) {
    SplitFields(line, &fields_);
    if (!s.valid) {
      errors->AddLine(path, line_no, line,
                      "the header line above is not \"Protocol: Field ...\"");
      return;
    }
    if (fields_.size() != s.field_count) {
      errors->AddLine(path, line_no, line,
                      "number of values differs from the header line above");
      return;
    }
    // Check the whole line before reporting any of it.
    values_.resize(fields_.size());
    for (size_t i = 1; i < fields_.size(); ++i) {
      if (!ParseValue(fields_[i], &values_[i])) {
        errors->AddLine(path, line_no, line, "value is not an integer");
        return;
      }
    }
    for (const Column& c : s.kept) {
      if (!Emit(c.name, c.help, values_[c.index], out)) {
        errors->AddLine(path, line_no, line, "field repeated");
      }
    }
  }

  void CollectSnmp6(MetricSet* out, ParseErrors* errors) {
    Status read = env_->ReadFile(snmp6_path_, &buf_);
    if (read.code() == StatusCode::kNotFound) return;  // IPv6 disabled.
    if (!read.ok()) {
      errors->Add(read);
      return;
    }
    if (buf_.empty()) {
      errors->AddFile(snmp6_path_, "file is empty");
      return;
    }
    size_t n = 0;
    LineReader lines(buf_);
    std::string_view line;
    while (lines.Next(&line)) {
      SplitFields(line, &fields_);
      if (fields_.empty()) continue;
      if (fields_.size() != 2) {
        errors->AddLine(snmp6_path_, lines.line_number(), line,
                        "expected \"Name value\"");
        continue;
      }
      if (n == snmp6_.size()) snmp6_.emplace_back();
      Snmp6Field& f = snmp6_[n++];
      if (f.key != fields_[0]) BuildSnmp6Field(fields_[0], &f);
      if (!f.keep) continue;
      double v;
      if (!ParseValue(fields_[1], &v)) {
        errors->AddLine(snmp6_path_, lines.line_number(), line,
                        "value is not an integer");
        continue;
      }
      if (!Emit(f.name, f.help, v, out)) {
        errors->AddLine(snmp6_path_, lines.line_number(), line,
                        "field repeated");
      }
    }
    lines.Finish(snmp6_path_, errors, /*empty_is_error=*/false);
    snmp6_.resize(n);
  }

  // Like node_exporter, the protocol is the name up to and including its
  // first '6' ("Ip6", "Icmp6", "UdpLite6"); names without one are skipped.
  void BuildSnmp6Field(std::string_view key, Snmp6Field* f) {
    f->key.assign(key);
    f->name.clear();
    f->help.clear();
    size_t six = key.find('6');
    f->keep = six != std::string_view::npos && six + 1 < key.size() &&
              Wanted(key.substr(0, six + 1), key.substr(six + 1));
    if (!f->keep) return;
    f->name.append("node_netstat_")
        .append(key.substr(0, six + 1))
        .append("_")
        .append(key.substr(six + 1));
    f->help.append("Statistic ").append(key).append(".");
  }

  Env* env_;
  const std::string netstat_path_;
  const std::string snmp_path_;
  const std::string snmp6_path_;
  const RE2 fields_re_;
  // Kept across cycles, by position in the file.
  std::vector<Section> netstat_sections_;
  std::vector<Section> snmp_sections_;
  std::vector<Snmp6Field> snmp6_;
  // Reused across cycles.
  std::string buf_;
  std::string key_buf_;
  std::vector<std::string_view> fields_;
  std::vector<double> values_;
};

}  // namespace

std::unique_ptr<Collector> NewNetstatCollector(
    const CollectorOptions& options) {
  return std::make_unique<NetstatCollector>(options);
}

}  // namespace tend
