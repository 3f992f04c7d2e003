#include "tsdb/head_index.h"

#include <algorithm>
#include <iterator>

#include "tsdb/head_series.h"

namespace tend {

uint32_t SymbolTable::Intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) {
    ++entries_[it->second].refs;
    return it->second;
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& e = entries_[id];
  e.s.assign(s);
  e.refs = 1;
  ids_.emplace(std::string_view(e.s), id);
  return id;
}

void SymbolTable::Release(uint32_t id) {
  Entry& e = entries_[id];
  if (--e.refs > 0) return;
  ids_.erase(std::string_view(e.s));
  std::string().swap(e.s);
  free_.push_back(id);
}

std::optional<uint32_t> SymbolTable::Find(std::string_view s) const {
  auto it = ids_.find(s);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

namespace {

// libstdc++'s deque allocates 512-byte blocks (or one element when larger)
// and a map of block pointers.
template <typename T>
size_t DequeBytes(size_t n) {
  constexpr size_t kPerBlock = sizeof(T) < 512 ? 512 / sizeof(T) : 1;
  const size_t blocks = n / kPerBlock + 1;
  return blocks * HeapBytes(kPerBlock * sizeof(T)) +
         HeapBytes(std::max<size_t>(8, blocks + 2) * sizeof(void*));
}

// An unordered_map's bucket array (one pointer each; libstdc++ keeps a
// single inline bucket when there is one).
size_t BucketBytes(size_t buckets) {
  return buckets > 1 ? HeapBytes(buckets * sizeof(void*)) : 0;
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return HeapBytes(v.capacity() * sizeof(T));
}

}  // namespace

size_t SymbolTable::MemoryBytes() const {
  // Per symbol: the deque entry, a hash node (next pointer, view, id and the
  // cached hash) and its bucket; plus heap strings beyond SSO.
  constexpr size_t kNode = sizeof(void*) +
                           sizeof(std::pair<const std::string_view, uint32_t>) +
                           sizeof(size_t);
  size_t bytes = DequeBytes<Entry>(entries_.size()) +
                 ids_.size() * HeapBytes(kNode) +
                 BucketBytes(ids_.bucket_count()) + VectorBytes(free_);
  for (const Entry& e : entries_) {
    if (e.s.capacity() > 15) bytes += HeapBytes(e.s.capacity() + 1);
  }
  return bytes;
}

namespace {

void PushBack(Postings::List* list, Postings::Ref ref) {
  if (list->size() == list->capacity()) {
    list->reserve(list->size() + list->size() / 4 + 2);
  }
  list->push_back(ref);
}

}  // namespace

void Postings::Add(Ref ref, std::span<const uint32_t> syms) {
  for (size_t i = 0; i + 1 < syms.size(); i += 2) {
    PushBack(&by_name_[syms[i]][syms[i + 1]], ref);
  }
  PushBack(&all_, ref);
}

void Postings::Remove(
    std::span<const std::pair<Ref, std::span<const uint32_t>>> series) {
  if (series.empty()) return;
  List refs;
  refs.reserve(series.size());
  // The (name, value) lists to filter, deduplicated.
  std::vector<std::pair<uint32_t, uint32_t>> keys;
  for (const auto& [ref, syms] : series) {
    refs.push_back(ref);
    for (size_t i = 0; i + 1 < syms.size(); i += 2) {
      keys.emplace_back(syms[i], syms[i + 1]);
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& [n, v] : keys) {
    auto name = by_name_.find(n);
    if (name == by_name_.end()) continue;
    auto value = name->second.find(v);
    if (value == name->second.end()) continue;
    List& list = value->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&refs](Ref r) {
                                return std::binary_search(refs.begin(),
                                                          refs.end(), r);
                              }),
               list.end());
    if (list.empty()) {
      name->second.erase(value);
      if (name->second.empty()) by_name_.erase(name);
    } else if (list.capacity() > 2 * list.size() + 8) {
      list.shrink_to_fit();
    }
  }
  all_ = Subtract(all_, refs);
}

const Postings::List* Postings::Get(uint32_t name, uint32_t value) const {
  auto n = by_name_.find(name);
  if (n == by_name_.end()) return nullptr;
  auto v = n->second.find(value);
  return v == n->second.end() ? nullptr : &v->second;
}

const std::unordered_map<uint32_t, Postings::List>* Postings::Values(
    uint32_t name) const {
  auto n = by_name_.find(name);
  return n == by_name_.end() ? nullptr : &n->second;
}

size_t Postings::MemoryBytes() const {
  // Hash nodes: a next pointer and the value pair (integer keys do not cache
  // their hash).
  using Values = std::unordered_map<uint32_t, List>;
  constexpr size_t kNameNode =
      sizeof(void*) + sizeof(std::pair<const uint32_t, Values>);
  constexpr size_t kValueNode =
      sizeof(void*) + sizeof(std::pair<const uint32_t, List>);
  size_t bytes = VectorBytes(all_) + BucketBytes(by_name_.bucket_count());
  for (const auto& [name, values] : by_name_) {
    bytes += HeapBytes(kNameNode) + BucketBytes(values.bucket_count());
    for (const auto& [value, list] : values) {
      bytes += HeapBytes(kValueNode) + VectorBytes(list);
    }
  }
  return bytes;
}

Postings::List Intersect(const Postings::List& a, const Postings::List& b) {
  Postings::List out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::back_inserter(out));
  return out;
}

Postings::List Subtract(const Postings::List& a, const Postings::List& b) {
  Postings::List out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(out));
  return out;
}

Postings::List Union(std::span<const Postings::List* const> lists) {
  Postings::List out;
  if (lists.size() == 1) return *lists[0];
  size_t total = 0;
  for (const Postings::List* l : lists) total += l->size();
  out.reserve(total);
  for (const Postings::List* l : lists) {
    out.insert(out.end(), l->begin(), l->end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tend
