// Inventory loading and querying at fleet size: a 1,000-host INI inventory
// with 50 groups (20 hosts each, nested under 5 parents, vars at every
// level), the same as YAML, and the per-host work a play does (vars and
// group_names for every host, one pattern).
#include <benchmark/benchmark.h>

#include <string>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

std::string MakeIni() {
  std::string s = "[all:vars]\nntp=10.0.0.1\nenv=prod\n";
  for (int g = 0; g < 50; ++g) {
    s += "[g" + std::to_string(g) + "]\n";
    for (int h = 0; h < 20; ++h) {
      int n = g * 20 + h;
      s += "host" + std::to_string(n) + ".example.com ansible_host=10.1." +
           std::to_string(n / 256) + "." + std::to_string(n % 256) +
           " rack=" + std::to_string(n % 40) + " weight=" + std::to_string(n) +
           "\n";
    }
    s += "[g" + std::to_string(g) + ":vars]\nrole=r" + std::to_string(g) +
         "\nport=" + std::to_string(8000 + g) + "\n";
  }
  for (int p = 0; p < 5; ++p) {
    s += "[dc" + std::to_string(p) + ":children]\n";
    for (int g = p * 10; g < p * 10 + 10; ++g)
      s += "g" + std::to_string(g) + "\n";
    s += "[dc" + std::to_string(p) + ":vars]\ndc=dc" + std::to_string(p) + "\n";
  }
  return s;
}

std::string MakeYaml() {
  std::string s = "all:\n  vars: {ntp: 10.0.0.1, env: prod}\n  children:\n";
  for (int p = 0; p < 5; ++p) {
    s += "    dc" + std::to_string(p) + ":\n      vars: {dc: dc" +
         std::to_string(p) + "}\n      children:\n";
    for (int g = p * 10; g < p * 10 + 10; ++g) {
      s += "        g" + std::to_string(g) + ":\n          vars: {role: r" +
           std::to_string(g) + ", port: " + std::to_string(8000 + g) +
           "}\n          hosts:\n";
      for (int h = 0; h < 20; ++h) {
        int n = g * 20 + h;
        s += "            host" + std::to_string(n) +
             ".example.com: {ansible_host: 10.1." + std::to_string(n / 256) +
             "." + std::to_string(n % 256) +
             ", rack: " + std::to_string(n % 40) +
             ", weight: " + std::to_string(n) + "}\n";
      }
    }
  }
  return s;
}

void BM_LoadIni1000Hosts(benchmark::State& state) {
  const std::string text = MakeIni();
  for (auto _ : state) {
    Inventory inv;
    Status s = ParseIniInventory(text, "hosts", &inv);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    inv.Finish();
    benchmark::DoNotOptimize(inv.hosts().size());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_LoadIni1000Hosts)->Unit(benchmark::kMillisecond);

void BM_LoadYaml1000Hosts(benchmark::State& state) {
  const std::string text = MakeYaml();
  for (auto _ : state) {
    Inventory inv;
    Status s = ParseYamlInventory(text, "hosts.yml", &inv);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    inv.Finish();
    benchmark::DoNotOptimize(inv.hosts().size());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_LoadYaml1000Hosts)->Unit(benchmark::kMillisecond);

// What a play over every host asks of the inventory.
void BM_VarsAndGroupNamesForAll1000(benchmark::State& state) {
  Inventory inv;
  Status s = ParseIniInventory(MakeIni(), "hosts", &inv);
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  inv.Finish();
  for (auto _ : state) {
    size_t n = 0;
    for (const InventoryHost& h : inv.hosts()) {
      n += inv.VarsForHost(h.name).size();
      n += inv.GroupNamesOf(h.name).size();
    }
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_VarsAndGroupNamesForAll1000)->Unit(benchmark::kMillisecond);

void BM_MatchPattern(benchmark::State& state) {
  Inventory inv;
  Status s = ParseIniInventory(MakeIni(), "hosts", &inv);
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  inv.Finish();
  for (auto _ : state) {
    auto r = inv.Match("dc1:dc2:!g15:&~host1.*");
    benchmark::DoNotOptimize(r.ok());
  }
}
BENCHMARK(BM_MatchPattern)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tend::automate

BENCHMARK_MAIN();
