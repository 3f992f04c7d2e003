// The head's index: a reference-counted symbol table (every distinct label
// name and value stored once) and the postings (label name/value -> sorted
// series refs, 32 bits each: the head keeps refs below 2^32).
//
// Thread-safety: neither class locks. The head mutates them only on its
// writer thread holding its index lock exclusively; other threads read them
// holding it shared (the writer may read without it).
#ifndef TEND_TSDB_HEAD_INDEX_H_
#define TEND_TSDB_HEAD_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tsdb/head_records.h"

namespace tend {

class SymbolTable {
 public:
  // The id of `s`, adding it when new; takes one reference.
  uint32_t Intern(std::string_view s);
  // Drops one reference; the symbol is freed (and its id reused) at zero.
  void Release(uint32_t id);
  // The id of `s` if present (takes no reference).
  std::optional<uint32_t> Find(std::string_view s) const;
  // The string of a live id.
  const std::string& Get(uint32_t id) const { return entries_[id].s; }
  size_t size() const { return ids_.size(); }
  // Heap bytes, malloc overhead included.
  size_t MemoryBytes() const;

 private:
  struct Entry {
    std::string s;
    uint32_t refs = 0;
  };
  // A deque so that entries never move: ids_ keys are views into them.
  std::deque<Entry> entries_;
  std::vector<uint32_t> free_;
  std::unordered_map<std::string_view, uint32_t> ids_;
};

class Postings {
 public:
  using Ref = uint32_t;
  using List = std::vector<Ref>;

  // Adds `ref` (larger than every ref added before) under each name/value
  // pair of `syms` (name, value, name, value...) and to the all-series list.
  // Lists grow by a quarter rather than doubling: postings are per-series
  // memory.
  void Add(Ref ref, std::span<const uint32_t> syms);
  // Removes a set of series from every list; lists that become empty are
  // erased. `series` holds (ref, label syms) sorted by ref ascending. Each
  // affected list is filtered once, so removing k of n series costs
  // O(n + k log k), not O(n * k).
  void Remove(
      std::span<const std::pair<Ref, std::span<const uint32_t>>> series);

  // The list for name=value, or nullptr.
  const List* Get(uint32_t name, uint32_t value) const;
  const List& all() const { return all_; }
  // value id -> list, for every value of `name` (nullptr when none).
  const std::unordered_map<uint32_t, List>* Values(uint32_t name) const;
  // Every label name present.
  const std::unordered_map<uint32_t, std::unordered_map<uint32_t, List>>&
  by_name() const {
    return by_name_;
  }
  // Heap bytes, malloc overhead included.
  size_t MemoryBytes() const;

 private:
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, List>> by_name_;
  List all_;
};

// Sorted-list set operations used by the querier.
Postings::List Intersect(const Postings::List& a, const Postings::List& b);
Postings::List Subtract(const Postings::List& a, const Postings::List& b);
// The sorted, unique union of several lists.
Postings::List Union(std::span<const Postings::List* const> lists);

}  // namespace tend

#endif  // TEND_TSDB_HEAD_INDEX_H_
