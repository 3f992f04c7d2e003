#include "tsdb/block_index.h"

#include <algorithm>
#include <map>
#include <utility>

#include "tsdb/block_encoding.h"

namespace tend {
namespace {

constexpr size_t kHeaderSize = 8;
constexpr size_t kTocEntrySize = 20;
constexpr size_t kNumSections = 5;
constexpr size_t kTocSize = kNumSections * kTocEntrySize + 4;
constexpr const char* kSectionNames[kNumSections] = {
    "symbols", "series", "label tables", "postings", "time tables"};

uint32_t SymbolId(const std::vector<std::string_view>& symbols,
                  std::string_view s) {
  return static_cast<uint32_t>(
      std::lower_bound(symbols.begin(), symbols.end(), s) - symbols.begin());
}

void SetUnion(std::vector<uint32_t>* ids) {
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
}

}  // namespace

std::vector<uint8_t> BuildIndex(
    std::span<const IndexSeries> series, int64_t block_mint,
    std::span<const std::vector<uint8_t>> time_tables) {
  std::vector<std::string_view> symbols;
  for (const IndexSeries& s : series) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());

  std::vector<uint8_t> out;
  ByteWriter w(&out);
  w.PutBe32(kIndexMagic);
  w.PutByte(kIndexVersion);
  w.PutByte(0);
  w.PutByte(0);
  w.PutByte(0);
  std::vector<std::pair<uint64_t, uint64_t>> sections;
  auto begin_section = [&] { sections.emplace_back(out.size(), 0); };
  auto end_section = [&] {
    sections.back().second = out.size() - sections.back().first;
  };

  begin_section();
  w.PutUvarint(symbols.size());
  for (std::string_view s : symbols) w.PutString(s);
  end_section();

  // Series, collecting postings per (name, value) as we go.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<uint32_t>>
      postings;
  begin_section();
  w.PutUvarint(series.size());
  std::vector<uint8_t> entry;
  for (size_t id = 0; id < series.size(); ++id) {
    const IndexSeries& s = series[id];
    entry.clear();
    ByteWriter e(&entry);
    e.PutUvarint(s.labels.size());
    for (const Label& l : s.labels) {
      e.PutUvarint(SymbolId(symbols, l.name));
      e.PutUvarint(SymbolId(symbols, l.value));
      postings[{l.name, l.value}].push_back(static_cast<uint32_t>(id));
    }
    e.PutUvarint(s.group.segment);
    e.PutUvarint(s.group.offset);
    e.PutUvarint(s.group.length);
    e.PutUvarint(s.chunks.size());
    for (size_t i = 0; i < s.chunks.size(); ++i) {
      const ChunkMeta& c = s.chunks[i];
      if (i == 0) {
        e.PutVarint(c.mint - block_mint);
      } else {
        e.PutUvarint(static_cast<uint64_t>(c.mint - s.chunks[i - 1].maxt));
      }
      e.PutUvarint(static_cast<uint64_t>(c.maxt - c.mint));
    }
    w.PutUvarint(entry.size());
    w.PutBytes(entry);
  }
  end_section();

  // Label tables and postings: the postings are built in a side buffer and
  // appended after the tables.
  std::vector<uint8_t> plist;
  ByteWriter pw(&plist);
  begin_section();
  std::vector<std::pair<std::string_view, size_t>> names;  // name, #values
  for (const auto& [key, ids] : postings) {
    if (names.empty() || names.back().first != key.first) {
      names.emplace_back(key.first, 0);
    }
    ++names.back().second;
  }
  w.PutUvarint(names.size());
  auto it = postings.begin();
  uint64_t last_offset = 0;
  for (const auto& [name, nvalues] : names) {
    w.PutUvarint(SymbolId(symbols, name));
    w.PutUvarint(nvalues);
    for (size_t i = 0; i < nvalues; ++i, ++it) {
      const uint64_t offset = plist.size();
      w.PutUvarint(SymbolId(symbols, it->first.second));
      w.PutUvarint(offset - last_offset);
      last_offset = offset;
      pw.PutUvarint(it->second.size());
      uint32_t prev = 0;
      for (size_t j = 0; j < it->second.size(); ++j) {
        pw.PutUvarint(j == 0 ? it->second[j] : it->second[j] - prev);
        prev = it->second[j];
      }
    }
  }
  end_section();
  begin_section();
  w.PutBytes(plist);
  end_section();

  begin_section();
  w.PutUvarint(time_tables.size());
  for (const std::vector<uint8_t>& t : time_tables) {
    w.PutUvarint(t.size());
    w.PutBytes(t);
  }
  end_section();

  const size_t toc_start = out.size();
  for (const auto& [offset, length] : sections) {
    w.PutBe64(offset);
    w.PutBe64(length);
    w.PutBe32(Crc32c(std::span<const uint8_t>(out).subspan(offset, length)));
  }
  w.PutBe32(Crc32c(std::span<const uint8_t>(out).subspan(toc_start)));
  return out;
}

Status IndexReader::Fail(size_t offset, std::string_view what) const {
  return DataLossError(path_ + " at offset " + std::to_string(offset) + ": " +
                       std::string(what));
}

Result<std::unique_ptr<IndexReader>> IndexReader::Open(
    std::span<const uint8_t> data, std::string path) {
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->data_ = data;
  r->path_ = std::move(path);
  if (data.size() < kHeaderSize + kTocSize) {
    return r->Fail(0, std::to_string(data.size()) +
                          " bytes, too short for an index (header and table "
                          "of contents need " +
                          std::to_string(kHeaderSize + kTocSize) + ")");
  }
  if (LoadBe32(data.data()) != kIndexMagic) {
    return r->Fail(0, "bad magic (not a block index)");
  }
  if (data[4] != kIndexVersion) {
    return r->Fail(4, "unsupported version " + std::to_string(data[4]));
  }
  if (data[5] != 0 || data[6] != 0 || data[7] != 0) {
    return r->Fail(5, "reserved header bytes are not zero");
  }
  const size_t toc = data.size() - kTocSize;
  if (Crc32c(data.subspan(toc, kTocSize - 4)) !=
      LoadBe32(data.data() + data.size() - 4)) {
    return r->Fail(toc, "table of contents checksum mismatch");
  }
  Section* secs[kNumSections] = {&r->symbols_sec_, &r->series_sec_,
                                 &r->labels_sec_, &r->postings_sec_,
                                 &r->times_sec_};
  uint64_t prev_end = kHeaderSize;
  for (size_t i = 0; i < kNumSections; ++i) {
    const uint8_t* e = data.data() + toc + i * kTocEntrySize;
    const uint64_t offset = LoadBe64(e);
    const uint64_t length = LoadBe64(e + 8);
    if (offset < prev_end || offset > toc || length > toc - offset) {
      return r->Fail(toc + i * kTocEntrySize,
                     std::string("section ") + kSectionNames[i] +
                         " lies outside its place in the file");
    }
    if (Crc32c(data.subspan(offset, length)) != LoadBe32(e + 16)) {
      return r->Fail(offset, std::string("section ") + kSectionNames[i] +
                                 " checksum mismatch");
    }
    secs[i]->offset = offset;
    secs[i]->length = length;
    prev_end = offset + length;
  }
  RETURN_IF_ERROR(r->ParseSymbols());
  RETURN_IF_ERROR(r->ParseSeries());
  RETURN_IF_ERROR(r->ParseLabelTables());
  RETURN_IF_ERROR(r->ParseTimeTables());
  return r;
}

Status IndexReader::ParseSymbols() {
  ByteReader r(data_.subspan(symbols_sec_.offset, symbols_sec_.length));
  auto fail = [&](std::string_view what) {
    return Fail(symbols_sec_.offset + r.pos(), "symbols: " + std::string(what));
  };
  uint64_t count;
  if (!r.GetUvarint(&count) || count > r.remaining()) {
    return fail("bad symbol count");
  }
  symbols_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view s;
    if (!r.GetString(&s)) return fail("truncated symbol");
    if (!symbols_.empty() && !(symbols_.back() < s)) {
      return fail("symbols not strictly ascending");
    }
    symbols_.push_back(s);
  }
  if (!r.done()) return fail("trailing bytes");
  return Status::Ok();
}

Status IndexReader::ParseSeries() {
  ByteReader r(data_.subspan(series_sec_.offset, series_sec_.length));
  auto fail = [&](std::string_view what) {
    return Fail(series_sec_.offset + r.pos(), "series: " + std::string(what));
  };
  uint64_t count;
  if (!r.GetUvarint(&count) || count > r.remaining() || count > UINT32_MAX) {
    return fail("bad series count");
  }
  series_offsets_.reserve(count);
  series_lengths_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    if (!r.GetUvarint(&len) || len == 0 || len > r.remaining()) {
      return fail("bad entry length for series " + std::to_string(i));
    }
    series_offsets_.push_back(series_sec_.offset + r.pos());
    series_lengths_.push_back(len);
    if (!r.Skip(len)) return fail("truncated");
  }
  if (!r.done()) return fail("trailing bytes");
  return Status::Ok();
}

Status IndexReader::ParseLabelTables() {
  ByteReader r(data_.subspan(labels_sec_.offset, labels_sec_.length));
  auto fail = [&](std::string_view what) {
    return Fail(labels_sec_.offset + r.pos(),
                "label tables: " + std::string(what));
  };
  uint64_t count;
  if (!r.GetUvarint(&count) || count > r.remaining()) {
    return fail("bad name count");
  }
  names_.reserve(count);
  uint64_t offset = 0;
  uint64_t prev_name = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t name, nvalues;
    if (!r.GetUvarint(&name) || !r.GetUvarint(&nvalues)) {
      return fail("truncated");
    }
    if (name >= symbols_.size() || (i > 0 && name <= prev_name)) {
      return fail("bad or unordered name symbol " + std::to_string(name));
    }
    if (nvalues == 0 || nvalues > r.remaining()) {
      return fail("bad value count");
    }
    prev_name = name;
    NameEntry entry;
    entry.name = symbols_[name];
    entry.values.reserve(nvalues);
    uint64_t prev_value = 0;
    for (uint64_t j = 0; j < nvalues; ++j) {
      uint64_t value, delta;
      if (!r.GetUvarint(&value) || !r.GetUvarint(&delta)) {
        return fail("truncated");
      }
      if (value >= symbols_.size() || (j > 0 && value <= prev_value) ||
          symbols_[value].empty()) {
        return fail("bad or unordered value symbol " + std::to_string(value));
      }
      if (delta > postings_sec_.length - offset) {
        return fail("postings offset past the postings section");
      }
      offset += delta;
      prev_value = value;
      entry.values.push_back(ValueEntry{symbols_[value], offset});
    }
    names_.push_back(std::move(entry));
  }
  if (!r.done()) return fail("trailing bytes");
  return Status::Ok();
}

Status IndexReader::ParseTimeTables() {
  ByteReader r(data_.subspan(times_sec_.offset, times_sec_.length));
  auto fail = [&](std::string_view what) {
    return Fail(times_sec_.offset + r.pos(),
                "time tables: " + std::string(what));
  };
  uint64_t count;
  if (!r.GetUvarint(&count) || count > r.remaining()) {
    return fail("bad table count");
  }
  time_tables_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    std::span<const uint8_t> bytes;
    if (!r.GetUvarint(&len) || len > r.remaining() ||
        !r.GetBytes(len, &bytes)) {
      return fail("truncated table " + std::to_string(i));
    }
    time_tables_.push_back(bytes);
  }
  if (!r.done()) return fail("trailing bytes");
  return Status::Ok();
}

Status IndexReader::ReadSeries(uint32_t id, int64_t block_mint, Labels* labels,
                               ChunkGroupRef* group,
                               std::vector<ChunkMeta>* chunks) const {
  if (id >= series_offsets_.size()) {
    return InvalidArgumentError("series id " + std::to_string(id) +
                                " out of range");
  }
  const uint64_t base = series_offsets_[id];
  ByteReader r(data_.subspan(base, series_lengths_[id]));
  auto fail = [&](std::string_view what) {
    return Fail(base + r.pos(),
                "series " + std::to_string(id) + ": " + std::string(what));
  };
  uint64_t nlabels;
  if (!r.GetUvarint(&nlabels) || nlabels > r.remaining()) {
    return fail("bad label count");
  }
  labels->clear();
  labels->reserve(nlabels);
  uint64_t prev_name = 0;
  for (uint64_t i = 0; i < nlabels; ++i) {
    uint64_t name, value;
    if (!r.GetUvarint(&name) || !r.GetUvarint(&value)) return fail("truncated");
    if (name >= symbols_.size() || value >= symbols_.size() ||
        (i > 0 && name <= prev_name) || symbols_[value].empty()) {
      return fail("bad label symbols");
    }
    prev_name = name;
    labels->push_back(
        Label{std::string(symbols_[name]), std::string(symbols_[value])});
  }
  uint64_t nchunks;
  if (!r.GetUvarint(&group->segment) || !r.GetUvarint(&group->offset) ||
      !r.GetUvarint(&group->length) || !r.GetUvarint(&nchunks)) {
    return fail("truncated");
  }
  if (nchunks == 0 || nchunks > r.remaining()) return fail("bad chunk count");
  chunks->clear();
  chunks->reserve(nchunks);
  int64_t prev_maxt = 0;
  for (uint64_t i = 0; i < nchunks; ++i) {
    ChunkMeta c;
    uint64_t span;
    bool ok;
    if (i == 0) {
      int64_t delta;
      ok = r.GetVarint(&delta) &&
           !__builtin_add_overflow(block_mint, delta, &c.mint);
    } else {
      uint64_t gap;
      ok = r.GetUvarint(&gap) && gap >= 1 && gap <= INT64_MAX &&
           !__builtin_add_overflow(prev_maxt, static_cast<int64_t>(gap),
                                   &c.mint);
    }
    if (!ok || !r.GetUvarint(&span) || span > INT64_MAX ||
        __builtin_add_overflow(c.mint, static_cast<int64_t>(span), &c.maxt)) {
      return fail("bad chunk times");
    }
    prev_maxt = c.maxt;
    chunks->push_back(c);
  }
  if (!r.done()) return fail("trailing bytes");
  return Status::Ok();
}

std::vector<std::string> IndexReader::LabelNames() const {
  std::vector<std::string> out;
  out.reserve(names_.size());
  for (const NameEntry& n : names_) out.emplace_back(n.name);
  return out;
}

std::vector<std::string> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  if (const NameEntry* n = FindName(name)) {
    for (const ValueEntry& v : n->values) out.emplace_back(v.value);
  }
  return out;
}

const IndexReader::NameEntry* IndexReader::FindName(
    std::string_view name) const {
  auto it = std::lower_bound(
      names_.begin(), names_.end(), name,
      [](const NameEntry& e, std::string_view n) { return e.name < n; });
  return it != names_.end() && it->name == name ? &*it : nullptr;
}

Status IndexReader::ReadPostings(uint64_t offset,
                                 std::vector<uint32_t>* out) const {
  ByteReader r(data_.subspan(postings_sec_.offset, postings_sec_.length));
  auto fail = [&](std::string_view what) {
    return Fail(postings_sec_.offset + r.pos(),
                "postings: " + std::string(what));
  };
  uint64_t count;
  if (!r.Skip(offset) || !r.GetUvarint(&count) ||
      count > series_offsets_.size()) {
    return fail("bad postings list");
  }
  uint64_t id = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta;
    if (!r.GetUvarint(&delta)) return fail("truncated postings list");
    if ((i > 0 && delta == 0) || delta >= series_offsets_.size() ||
        id + delta >= series_offsets_.size()) {
      return fail("postings list is not ascending series ids");
    }
    id += delta;
    out->push_back(static_cast<uint32_t>(id));
  }
  return Status::Ok();
}

Status IndexReader::Collect(const LabelMatcher& m, bool want,
                            std::vector<uint32_t>* out) const {
  const NameEntry* n = FindName(m.name());
  if (n == nullptr) return Status::Ok();
  if (m.type() == LabelMatcher::Type::kEqual && want) {
    auto it = std::lower_bound(
        n->values.begin(), n->values.end(), std::string_view(m.value()),
        [](const ValueEntry& e, std::string_view v) { return e.value < v; });
    if (it != n->values.end() && it->value == m.value()) {
      RETURN_IF_ERROR(ReadPostings(it->postings, out));
    }
    return Status::Ok();
  }
  size_t lists = 0;
  for (const ValueEntry& v : n->values) {
    if (m.Matches(v.value) == want) {
      RETURN_IF_ERROR(ReadPostings(v.postings, out));
      ++lists;
    }
  }
  if (lists > 1) SetUnion(out);
  return Status::Ok();
}

Status IndexReader::Select(const Matchers& matchers,
                           std::vector<uint32_t>* ids) const {
  ids->clear();
  bool have_positive = false;
  std::vector<uint32_t> exclude, set, tmp;
  for (const LabelMatcher& m : matchers) {
    if (m.MatchesEmpty()) {
      // Series lacking the label match; those whose value is rejected don't.
      RETURN_IF_ERROR(Collect(m, /*want=*/false, &exclude));
      continue;
    }
    set.clear();
    RETURN_IF_ERROR(Collect(m, /*want=*/true, &set));
    if (!have_positive) {
      ids->swap(set);
      have_positive = true;
    } else {
      tmp.clear();
      std::set_intersection(ids->begin(), ids->end(), set.begin(), set.end(),
                            std::back_inserter(tmp));
      ids->swap(tmp);
    }
    if (ids->empty()) return Status::Ok();
  }
  if (!have_positive) {
    ids->resize(series_offsets_.size());
    for (size_t i = 0; i < ids->size(); ++i)
      (*ids)[i] = static_cast<uint32_t>(i);
  }
  if (!exclude.empty()) {
    SetUnion(&exclude);
    tmp.clear();
    std::set_difference(ids->begin(), ids->end(), exclude.begin(),
                        exclude.end(), std::back_inserter(tmp));
    ids->swap(tmp);
  }
  return Status::Ok();
}

}  // namespace tend
