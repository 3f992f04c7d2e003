// Template::Parse and the executor: walks the tree of ast.h with Go's
// text/template semantics (variable scopes, range over sorted map keys,
// lazy and/or, pipelines passing the previous value as the last argument).
#include "alert/template/template.h"

#include <string>
#include <utility>
#include <vector>

#include "alert/template/ast.h"
#include "alert/template/functions.h"
#include "alert/template/parser.h"
#include "alert/template/value.h"

namespace tend::tmpl {
namespace {

// Work limit per Execute: nodes walked plus range iterations. Nested
// ranges over large maps stop here rather than running for minutes.
constexpr size_t kMaxSteps = 1000000;

Value LabelsToMap(const Labels* labels) {
  auto m = std::make_shared<ValueMap>();
  if (labels != nullptr) {
    for (const Label& l : *labels) m->emplace(l.name, Value::String(l.value));
  }
  return Value::Map(std::move(m), true);
}

class TemplateImpl;

class Executor {
 public:
  Executor(const TemplateImpl& t, const TemplateData& data);
  Result<std::string> Run(const NodeList& nodes);

 private:
  Status Walk(const NodeList& list, const Value& dot);
  Status WalkNode(const Node& n, const Value& dot);
  Status WalkRange(const Node& n, const Value& dot);
  Result<Value> EvalPipe(const Pipe& p, const Value& dot);
  Result<Value> EvalCommand(const Command& c, const Value& dot,
                            const Value* final);
  Result<Value> EvalOperand(const Operand& op, const Value& dot);
  Result<Value> Call(const Operand& fn, const std::vector<Operand>& args,
                     size_t first_arg, const Value& dot, const Value* final);
  Result<Value> Fields(Value v, const std::vector<std::string>& fields,
                       int pos);
  Status Error(int pos, const std::string& msg) const;
  Status Step(int pos);
  const Value* FindVar(const std::string& name) const;

  const TemplateImpl& t_;
  CallContext ctx_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string out_;
  size_t steps_ = 0;
};

class TemplateImpl : public Template {
 public:
  TemplateImpl(std::string name, std::string text, NodeList nodes)
      : name_(std::move(name)),
        text_(std::move(text)),
        nodes_(std::move(nodes)) {
    plain_ = text_.empty() ||
             (nodes_.size() == 1 && nodes_[0]->kind == Node::Kind::kText &&
              nodes_[0]->text == text_);
  }

  Result<std::string> Execute(const TemplateData& data) const override {
    if (plain_) return text_;
    return Executor(*this, data).Run(nodes_);
  }
  bool IsPlainText() const override { return plain_; }

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }

 private:
  std::string name_;
  std::string text_;
  NodeList nodes_;
  bool plain_ = false;
};

Executor::Executor(const TemplateImpl& t, const TemplateData& data) : t_(t) {
  ctx_.data = &data;
  Value labels = LabelsToMap(data.labels);
  Value external = LabelsToMap(data.external_labels);
  auto dot = std::make_shared<ValueMap>();
  (*dot)["Labels"] = labels;
  (*dot)["Value"] = Value::Float(data.value);
  (*dot)["ExternalLabels"] = external;
  (*dot)["ExternalURL"] = Value::String(std::string(data.external_url));
  vars_.emplace_back("$", Value::Map(std::move(dot), false));
  vars_.emplace_back("$labels", std::move(labels));
  vars_.emplace_back("$externalLabels", std::move(external));
  vars_.emplace_back("$externalURL",
                     Value::String(std::string(data.external_url)));
  vars_.emplace_back("$value", Value::Float(data.value));
}

Result<std::string> Executor::Run(const NodeList& nodes) {
  const Value dot = vars_[0].second;
  RETURN_IF_ERROR(Walk(nodes, dot));
  return std::move(out_);
}

Status Executor::Error(int pos, const std::string& msg) const {
  int line, col;
  LineColumn(t_.text(), pos, &line, &col);
  std::string where = std::to_string(line) + ":" + std::to_string(col);
  if (!t_.name().empty()) where = t_.name() + ":" + where;
  return InvalidArgumentError(where + ": " + msg);
}

Status Executor::Step(int pos) {
  if (++steps_ > kMaxSteps) {
    return Error(pos, "template does too much work (over " +
                          std::to_string(kMaxSteps) + " steps)");
  }
  return Status::Ok();
}

const Value* Executor::FindVar(const std::string& name) const {
  for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

Status Executor::Walk(const NodeList& list, const Value& dot) {
  for (const NodePtr& n : list) RETURN_IF_ERROR(WalkNode(*n, dot));
  return Status::Ok();
}

Status Executor::WalkNode(const Node& n, const Value& dot) {
  RETURN_IF_ERROR(Step(n.pos));
  switch (n.kind) {
    case Node::Kind::kText:
      out_ += n.text;
      break;
    case Node::Kind::kAction: {
      ASSIGN_OR_RETURN(Value v, EvalPipe(*n.pipe, dot));
      if (n.pipe->decl.empty()) {
        if (v.kind == Value::Kind::kNil) {
          out_ += "<no value>";
        } else {
          AppendValue(v, &out_);
        }
      }
      break;
    }
    case Node::Kind::kIf:
    case Node::Kind::kWith: {
      const size_t mark = vars_.size();
      ASSIGN_OR_RETURN(Value v, EvalPipe(*n.pipe, dot));
      Status s;
      if (IsTrue(v)) {
        s = Walk(n.list, n.kind == Node::Kind::kWith ? v : dot);
      } else {
        s = Walk(n.else_list, dot);
      }
      vars_.resize(mark);
      RETURN_IF_ERROR(s);
      break;
    }
    case Node::Kind::kRange:
      RETURN_IF_ERROR(WalkRange(n, dot));
      break;
  }
  if (out_.size() > Template::kMaxOutputBytes) {
    return Error(n.pos, "template output exceeds " +
                            std::to_string(Template::kMaxOutputBytes) +
                            " bytes");
  }
  return Status::Ok();
}

Status Executor::WalkRange(const Node& n, const Value& dot) {
  const size_t mark = vars_.size();
  ASSIGN_OR_RETURN(Value v, EvalPipe(*n.pipe, dot));
  const size_t ndecl = n.pipe->is_assign ? 0 : n.pipe->decl.size();
  // Sets the declared variables for one element: with one variable it
  // gets the element; with two, the first gets the key or index.
  auto iteration = [&](const Value& key, const Value& elem) -> Status {
    RETURN_IF_ERROR(Step(n.pos));
    if (ndecl >= 1) vars_[vars_.size() - 1].second = elem;
    if (ndecl >= 2) vars_[vars_.size() - 2].second = key;
    const size_t inner = vars_.size();
    Status s = Walk(n.list, elem);
    vars_.resize(inner);
    return s;
  };
  Status s;
  bool any = false;
  if (v.kind == Value::Kind::kMap) {
    for (const auto& [k, e] : *v.map) {
      any = true;
      s = iteration(Value::String(k), e);
      if (!s.ok()) break;
    }
  } else if (v.kind == Value::Kind::kList) {
    for (size_t i = 0; i < v.list->size(); ++i) {
      any = true;
      s = iteration(Value::Int(static_cast<int64_t>(i)), (*v.list)[i]);
      if (!s.ok()) break;
    }
  } else if (v.kind != Value::Kind::kNil) {
    s = Error(n.pos, std::string("range can't iterate over ") + ValueString(v));
  }
  if (s.ok() && !any) s = Walk(n.else_list, dot);
  vars_.resize(mark);
  return s;
}

Result<Value> Executor::EvalPipe(const Pipe& p, const Value& dot) {
  Value v;
  bool have = false;
  for (const Command& c : p.cmds) {
    ASSIGN_OR_RETURN(Value next, EvalCommand(c, dot, have ? &v : nullptr));
    v = std::move(next);
    have = true;
  }
  for (const std::string& name : p.decl) {
    if (p.is_assign) {
      for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
        if (it->first == name) {
          it->second = v;
          break;
        }
      }
    } else {
      vars_.emplace_back(name, v);
    }
  }
  return v;
}

Result<Value> Executor::EvalCommand(const Command& c, const Value& dot,
                                    const Value* final) {
  const Operand& first = c.args[0];
  if (first.kind == Operand::Kind::kFunction) {
    return Call(first, c.args, 1, dot, final);
  }
  if (c.args.size() > 1 || final != nullptr) {
    return Error(first.pos, "can't give argument to non-function");
  }
  if (first.kind == Operand::Kind::kConstant && first.is_nil) {
    return Error(first.pos, "nil is not a command");
  }
  return EvalOperand(first, dot);
}

Result<Value> Executor::EvalOperand(const Operand& op, const Value& dot) {
  switch (op.kind) {
    case Operand::Kind::kDot:
      return Fields(dot, op.fields, op.pos);
    case Operand::Kind::kVariable: {
      const Value* v = FindVar(op.name);
      if (v == nullptr) {
        return Error(op.pos, "undefined variable: " + op.name);
      }
      return Fields(*v, op.fields, op.pos);
    }
    case Operand::Kind::kConstant:
      return op.constant;
    case Operand::Kind::kFunction:
      return Call(op, {}, 0, dot, nullptr);
    case Operand::Kind::kPipe: {
      const size_t mark = vars_.size();
      Result<Value> v = EvalPipe(*op.pipe, dot);
      vars_.resize(mark);
      if (!v.ok()) return v;
      return Fields(std::move(v).value(), op.fields, op.pos);
    }
  }
  return Value::Nil();
}

Result<Value> Executor::Fields(Value v, const std::vector<std::string>& fields,
                               int pos) {
  for (const std::string& f : fields) {
    if (v.kind == Value::Kind::kMap) {
      auto it = v.map->find(f);
      if (it == v.map->end()) {
        v = Value::Nil();  // Go prints a missing key as "<no value>".
      } else {
        Value next = it->second;
        v = std::move(next);
      }
    } else if (v.kind == Value::Kind::kNil) {
      return Error(pos, "nil data; no entry for key \"" + f + "\"");
    } else {
      return Error(pos,
                   "can't evaluate field " + f + " in type " + GoTypeName(v));
    }
  }
  return v;
}

Result<Value> Executor::Call(const Operand& fn,
                             const std::vector<Operand>& args, size_t first_arg,
                             const Value& dot, const Value* final) {
  const Function& f = *fn.func;
  const size_t n = args.size() - first_arg + (final != nullptr ? 1 : 0);
  if (n < static_cast<size_t>(f.min_args) ||
      (f.max_args >= 0 && n > static_cast<size_t>(f.max_args))) {
    std::string want = f.max_args < 0 ? "at least " + std::to_string(f.min_args)
                                      : std::to_string(f.max_args);
    return Error(fn.pos, "wrong number of args for " + fn.name + ": want " +
                             want + " got " + std::to_string(n));
  }
  if (f.short_circuit) {
    // and: the first false argument, else the last; or: the first true.
    const bool is_and = fn.name == "and";
    Value v;
    for (size_t i = first_arg; i < args.size(); ++i) {
      ASSIGN_OR_RETURN(v, EvalOperand(args[i], dot));
      if (IsTrue(v) != is_and) return v;
    }
    if (final != nullptr) v = *final;
    return v;
  }
  std::vector<Value> values;
  values.reserve(n);
  for (size_t i = first_arg; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(Value v, EvalOperand(args[i], dot));
    values.push_back(std::move(v));
  }
  if (final != nullptr) values.push_back(*final);
  Result<Value> r = f.impl(ctx_, values);
  if (!r.ok()) {
    return Error(fn.pos,
                 "error calling " + fn.name + ": " + r.status().message());
  }
  return r;
}

}  // namespace

Result<std::shared_ptr<const Template>> Template::Parse(std::string_view name,
                                                        std::string_view text) {
  Result<NodeList> nodes = ParseTemplateText(text);
  if (!nodes.ok()) {
    if (name.empty()) return nodes.status();
    return InvalidArgumentError(std::string(name) + ":" +
                                nodes.status().message());
  }
  return std::shared_ptr<const Template>(std::make_shared<TemplateImpl>(
      std::string(name), std::string(text), std::move(nodes).value()));
}

}  // namespace tend::tmpl
