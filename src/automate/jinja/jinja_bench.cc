// Rendering speed of compiled templates: a typical task argument with a
// loop item, and a 50-line configuration template with a for loop.
#include <benchmark/benchmark.h>

#include <string>

#include "automate/jinja/jinja.h"

namespace tend::automate::jinja {
namespace {

void BM_TaskArg(benchmark::State& state) {
  auto t = Compile("{{ root }}/etc/app/{{ item.name }}.conf", {});
  Value vars = Value::parse(
      R"({"root": "/srv", "item": {"name": "web", "port": 8080}})");
  // Realistic variable count around the ones used.
  for (int i = 0; i < 200; ++i) vars["var" + std::to_string(i)] = i;
  for (auto _ : state) {
    ValueScope scope(&vars);
    auto out = Render(**t, scope);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TaskArg);

void BM_ConfigTemplate(benchmark::State& state) {
  std::string text = "# {{ ansible_managed | default('managed by tend') }}\n";
  for (int i = 0; i < 20; ++i) {
    text += "setting_" + std::to_string(i) + " = {{ settings.s" +
            std::to_string(i) + " | default(" + std::to_string(i) + ") }}\n";
  }
  text +=
      "{% for b in backends %}\n"
      "server {{ b.name }} {{ b.host }}:{{ b.port }}"
      "{% if b.backup | default(false) %} backup{% endif %}\n"
      "{% endfor %}\n";
  for (int i = 0; i < 26; ++i) {
    text += "line " + std::to_string(i) + " {{ app | upper }}\n";
  }
  auto t = Compile(text, {});
  Value vars = Value::object();
  vars["app"] = "shop";
  vars["settings"] = Value::object();
  for (int i = 0; i < 10; ++i) vars["settings"]["s" + std::to_string(i)] = i;
  vars["backends"] = Value::array();
  for (int i = 0; i < 20; ++i) {
    Value b = Value::object();
    b["name"] = "web" + std::to_string(i);
    b["host"] = "10.0.0." + std::to_string(i);
    b["port"] = 8000 + i;
    b["backup"] = i % 5 == 0;
    vars["backends"].push_back(std::move(b));
  }
  size_t bytes = 0;
  for (auto _ : state) {
    ValueScope scope(&vars);
    auto out = Render(**t, scope);
    bytes = out->size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ConfigTemplate);

void BM_Compile(benchmark::State& state) {
  for (auto _ : state) {
    auto t = Compile("{{ root }}/etc/app/{{ item.name | lower }}.conf", {});
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Compile);

}  // namespace
}  // namespace tend::automate::jinja

BENCHMARK_MAIN();
