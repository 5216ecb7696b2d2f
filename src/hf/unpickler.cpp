#include "hf/unpickler.h"

#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

#include "splade/error.h"

namespace splade::hf {
namespace {

// What the pickle machine can hold. Only data: no value is ever callable.
struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Value {
  enum Kind { kNone, kBool, kInt, kFloat, kStr, kBytes, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = kNone;
  std::int64_t i = 0;
  double f = 0;
  std::string s;                // str/bytes; for kGlobal "module.name"
  std::vector<ValuePtr> items;  // tuple/list; dict as key, value, key, value...
  StorageRef storage;
  TensorRef tensor;
};

// Every value made while parsing; cleared at the end so that self-referencing lists or
// dicts (built through the memo) do not keep each other alive.
thread_local std::vector<ValuePtr>* g_arena = nullptr;

ValuePtr make(Value::Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  if (g_arena) g_arena->push_back(v);
  return v;
}

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::kNone: return "None";
    case Value::kBool: return "bool";
    case Value::kInt: return "int";
    case Value::kFloat: return "float";
    case Value::kStr: return "str";
    case Value::kBytes: return "bytes";
    case Value::kTuple: return "tuple";
    case Value::kList: return "list";
    case Value::kDict: return "dict";
    case Value::kGlobal: return "global";
    case Value::kStorage: return "storage";
    case Value::kTensor: return "tensor";
  }
  return "?";
}

// The globals a state_dict may reference, and nothing else.
const std::map<std::string, DType>& storage_types() {
  static const std::map<std::string, DType> k = {
      {"torch.FloatStorage", DType::kF32}, {"torch.HalfStorage", DType::kF16},  {"torch.BFloat16Storage", DType::kBF16},
      {"torch.DoubleStorage", DType::kF64}, {"torch.LongStorage", DType::kI64}, {"torch.IntStorage", DType::kI32},
      {"torch.ShortStorage", DType::kI16},  {"torch.CharStorage", DType::kI8},  {"torch.ByteStorage", DType::kU8},
      {"torch.BoolStorage", DType::kBool}};
  return k;
}
bool allowed_global(const std::string& g) {
  return g == "collections.OrderedDict" || g == "torch._utils._rebuild_tensor_v2" ||
         g == "torch._utils._rebuild_tensor" || g == "torch._utils._rebuild_parameter" ||
         g == "torch._utils._rebuild_parameter_with_state" || storage_types().count(g) > 0;
}

constexpr std::size_t kMaxStack = 1 << 20;
constexpr std::size_t kMaxMemo = 1 << 22;

class Machine {
 public:
  Machine(std::span<const std::byte> in, const std::string& label) : in_(in), label_(label) { g_arena = &arena_; }
  ~Machine() {
    g_arena = nullptr;
    for (auto& v : arena_) v->items.clear();
  }

  ValuePtr run() {
    while (true) {
      const std::size_t at = pos_;
      const auto op = static_cast<unsigned char>(u8());
      switch (op) {
        case 0x80: u8(); break;                   // PROTO
        case 0x95: bytes(8); break;               // FRAME (length hint)
        case 'c': {                               // GLOBAL module\nname\n
          std::string module = line(), name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), module = pop();
          if (name->kind != Value::kStr || module->kind != Value::kStr) fail_at(at, "STACK_GLOBAL needs two strings");
          push_global(module->s + "." + name->s);
          break;
        }
        case '}': push(make(Value::kDict)); break;
        case ']': push(make(Value::kList)); break;
        case ')': push(make(Value::kTuple)); break;
        case '(': marks_.push_back(stack_.size()); break;
        case 'X': push_str(Value::kStr, le(4)); break;
        case 0x8c: push_str(Value::kStr, le(1)); break;
        case 0x8d: push_str(Value::kStr, le(8)); break;
        case 'U': push_str(Value::kBytes, le(1)); break;
        case 'T': push_str(Value::kBytes, le(4)); break;
        case 'C': push_str(Value::kBytes, le(1)); break;
        case 'B': push_str(Value::kBytes, le(4)); break;
        case 0x8e: push_str(Value::kBytes, le(8)); break;
        case 'J': push_int(static_cast<std::int32_t>(le(4))); break;
        case 'K': push_int(static_cast<std::int64_t>(le(1))); break;
        case 'M': push_int(static_cast<std::int64_t>(le(2))); break;
        case 0x8a: {  // LONG1: n bytes, little-endian two's complement
          const auto n = le(1);
          if (n > 8) fail_at(at, "LONG1 of " + std::to_string(n) + " bytes does not fit 64 bits");
          std::uint64_t v = n ? le(static_cast<int>(n)) : 0;
          if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~std::uint64_t{0} << (8 * n);
          push_int(static_cast<std::int64_t>(v));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian double
          std::uint64_t b = 0;
          for (int k = 0; k < 8; ++k) b = (b << 8) | static_cast<unsigned char>(u8());
          auto v = make(Value::kFloat);
          std::memcpy(&v->f, &b, 8);
          push(v);
          break;
        }
        case 'N': push(make(Value::kNone)); break;
        case 0x88:
        case 0x89: {
          auto v = make(Value::kBool);
          v->i = op == 0x88;
          push(v);
          break;
        }
        case 't': {
          auto v = make(Value::kTuple);
          v->items = pop_mark(at);
          push(v);
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
          const std::size_t n = op - 0x84;
          auto v = make(Value::kTuple);
          v->items.resize(n);
          for (std::size_t k = n; k-- > 0;) v->items[k] = pop();
          push(v);
          break;
        }
        case 'l': {
          auto v = make(Value::kList);
          v->items = pop_mark(at);
          push(v);
          break;
        }
        case 'd': {
          auto v = make(Value::kDict);
          v->items = pop_mark(at);
          if (v->items.size() % 2) fail_at(at, "DICT with an odd number of items");
          push(v);
          break;
        }
        case 'a': {
          auto item = pop();
          list_top(at)->items.push_back(item);
          break;
        }
        case 'e': {
          auto items = pop_mark(at);
          auto list = list_top(at);
          list->items.insert(list->items.end(), items.begin(), items.end());
          break;
        }
        case 's': {
          auto value = pop(), key = pop();
          auto d = dict_top(at);
          d->items.push_back(key);
          d->items.push_back(value);
          break;
        }
        case 'u': {
          auto items = pop_mark(at);
          if (items.size() % 2) fail_at(at, "SETITEMS with an odd number of items");
          auto d = dict_top(at);
          d->items.insert(d->items.end(), items.begin(), items.end());
          break;
        }
        case 'R': {  // REDUCE: only the allowed globals, interpreted here, never called
          auto args = pop(), fn = pop();
          if (fn->kind != Value::kGlobal) fail_at(at, std::string("REDUCE on a ") + kind_name(fn->kind));
          if (args->kind != Value::kTuple) fail_at(at, "REDUCE arguments are not a tuple");
          push(reduce(fn->s, args->items, at));
          break;
        }
        case 'Q': push(persistent_load(pop(), at)); break;  // BINPERSID
        case 'b': {  // BUILD: only OrderedDict's instance state (its _metadata) is accepted, and dropped
          auto state = pop();
          if (top()->kind != Value::kDict) fail_at(at, std::string("BUILD on a ") + kind_name(top()->kind));
          break;
        }
        case 'q': memo_put(le(1), at); break;
        case 'r': memo_put(le(4), at); break;
        case 0x94: memo_put(memo_.size(), at); break;
        case 'h': push(memo_get(le(1), at)); break;
        case 'j': push(memo_get(le(4), at)); break;
        case '0': pop(); break;
        case '2': push(top()); break;
        case '.': {  // STOP
          auto result = pop();
          if (!stack_.empty()) fail_at(at, "STOP with " + std::to_string(stack_.size()) + " values left on the stack");
          return result;
        }
        case 0x81:
        case 0x92:
        case 'i':
        case 'o':
          fail_at(at, std::string("opcode ") + opcode_name(op) + " builds an object; a state_dict needs none");
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          fail_at(at, std::string("unsupported pickle opcode ") + hex);
        }
      }
    }
  }

 private:
  static const char* opcode_name(unsigned char op) {
    switch (op) {
      case 0x81: return "NEWOBJ";
      case 0x92: return "NEWOBJ_EX";
      case 'i': return "INST";
      default: return "OBJ";
    }
  }

  [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
    throw Error(ErrorCode::kCorrupt, label_ + ": data.pkl byte " + std::to_string(at) + ": " + what);
  }

  std::byte u8() {
    if (pos_ >= in_.size()) fail_at(pos_, "unexpected end of pickle (truncated?)");
    return in_[pos_++];
  }
  std::span<const std::byte> bytes(std::uint64_t n) {
    if (n > in_.size() - pos_) fail_at(pos_, "a " + std::to_string(n) + "-byte field runs past the end (truncated?)");
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint64_t le(int n) {
    auto b = bytes(static_cast<std::uint64_t>(n));
    std::uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(b[k]);
    return v;
  }
  std::string line() {
    std::string s;
    while (true) {
      const char c = static_cast<char>(u8());
      if (c == '\n') return s;
      s += c;
      if (s.size() > 256) fail_at(pos_, "GLOBAL name longer than 256 bytes");
    }
  }

  void push(ValuePtr v) {
    if (stack_.size() >= kMaxStack) fail_at(pos_, "stack deeper than " + std::to_string(kMaxStack));
    stack_.push_back(std::move(v));
  }
  ValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail_at(pos_, "stack underflow");
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail_at(pos_, "stack underflow");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_mark(std::size_t at) {
    if (marks_.empty()) fail_at(at, "no MARK on the stack");
    const auto m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  ValuePtr list_top(std::size_t at) {
    auto v = top();
    if (v->kind != Value::kList) fail_at(at, std::string("APPEND to a ") + kind_name(v->kind));
    return v;
  }
  ValuePtr dict_top(std::size_t at) {
    auto v = top();
    if (v->kind != Value::kDict) fail_at(at, std::string("SETITEM on a ") + kind_name(v->kind));
    if (v->items.size() >= kMaxStack) fail_at(at, "dict with too many items");
    return v;
  }
  void push_str(Value::Kind k, std::uint64_t n) {
    auto b = bytes(n);
    auto v = make(k);
    v->s.assign(reinterpret_cast<const char*>(b.data()), b.size());
    push(v);
  }
  void push_int(std::int64_t i) {
    auto v = make(Value::kInt);
    v->i = i;
    push(v);
  }
  void push_global(const std::string& name) {
    if (!allowed_global(name))
      throw Error(ErrorCode::kUnsupported,
                  label_ + ": data.pkl references the global '" + name +
                      "', which a state_dict never needs; refusing it (only tensors, storages and "
                      "collections.OrderedDict are allowed, and nothing is executed)");
    auto v = make(Value::kGlobal);
    v->s = name;
    push(v);
  }
  void memo_put(std::uint64_t key, std::size_t at) {
    if (memo_.size() >= kMaxMemo) fail_at(at, "memo larger than " + std::to_string(kMaxMemo));
    memo_[key] = top();
  }
  ValuePtr memo_get(std::uint64_t key, std::size_t at) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail_at(at, "memo key " + std::to_string(key) + " was never stored");
    return it->second;
  }

  std::int64_t int_arg(const ValuePtr& v, std::size_t at, const char* what) {
    if (v->kind != Value::kInt) fail_at(at, std::string(what) + " is a " + kind_name(v->kind) + ", expected an int");
    return v->i;
  }
  std::vector<std::int64_t> int_tuple(const ValuePtr& v, std::size_t at, const char* what) {
    if (v->kind != Value::kTuple) fail_at(at, std::string(what) + " is a " + kind_name(v->kind) + ", expected a tuple");
    std::vector<std::int64_t> out;
    for (const auto& x : v->items) {
      const auto n = int_arg(x, at, what);
      if (n < 0) fail_at(at, std::string(what) + " has a negative entry");
      out.push_back(n);
    }
    return out;
  }

  ValuePtr reduce(const std::string& fn, const std::vector<ValuePtr>& args, std::size_t at) {
    if (fn == "collections.OrderedDict") {
      if (!args.empty()) fail_at(at, "OrderedDict called with arguments");
      return make(Value::kDict);
    }
    if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
      if (args.size() < 4) fail_at(at, fn + " needs at least 4 arguments");
      if (args[0]->kind != Value::kStorage) fail_at(at, fn + "'s first argument is not a storage");
      auto v = make(Value::kTensor);
      v->tensor.storage = args[0]->storage;
      v->tensor.offset = int_arg(args[1], at, "storage_offset");
      if (v->tensor.offset < 0) fail_at(at, "negative storage_offset");
      v->tensor.shape = int_tuple(args[2], at, "size");
      v->tensor.stride = int_tuple(args[3], at, "stride");
      if (v->tensor.shape.size() != v->tensor.stride.size()) fail_at(at, "size and stride differ in length");
      check_extent(v->tensor, at);
      return v;
    }
    if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state") {
      if (args.empty() || args[0]->kind != Value::kTensor) fail_at(at, fn + "'s first argument is not a tensor");
      return args[0];
    }
    fail_at(at, "'" + fn + "' cannot be called");  // a storage class used as a function
  }

  void check_extent(const TensorRef& t, std::size_t at) {
    std::int64_t last = t.offset;
    bool empty = false;
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
      if (t.shape[d] == 0) empty = true;
      if (t.shape[d] > (std::int64_t{1} << 40) || t.stride[d] > (std::int64_t{1} << 40)) fail_at(at, "size or stride too large");
      if (t.shape[d] > 0) last += (t.shape[d] - 1) * t.stride[d];
    }
    if (!empty && last >= t.storage.numel)
      fail_at(at, "tensor reaches element " + std::to_string(last) + " of storage '" + t.storage.key + "', which holds " +
                      std::to_string(t.storage.numel));
  }

  // ('storage', storage_type, key, location, numel): a storage saved as its own record.
  ValuePtr persistent_load(const ValuePtr& pid, std::size_t at) {
    if (pid->kind != Value::kTuple || pid->items.size() != 5 || pid->items[0]->kind != Value::kStr ||
        pid->items[0]->s != "storage")
      fail_at(at, "persistent id is not ('storage', type, key, location, numel)");
    const auto& type = pid->items[1];
    if (type->kind != Value::kGlobal || !storage_types().count(type->s))
      fail_at(at, "persistent id names no storage type");
    if (pid->items[2]->kind != Value::kStr) fail_at(at, "storage key is not a string");
    const auto& key = pid->items[2]->s;
    if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos)
      fail_at(at, "storage key '" + key + "' is not a plain record name");
    const auto numel = int_arg(pid->items[4], at, "storage numel");
    if (numel < 0) fail_at(at, "negative storage numel");
    auto v = make(Value::kStorage);
    v->storage = {key, storage_types().at(type->s), numel};
    auto [it, inserted] = storages_.emplace(key, v->storage);
    if (!inserted && (it->second.dtype != v->storage.dtype || it->second.numel != numel))
      fail_at(at, "storage '" + key + "' is declared twice with different types or sizes");
    return v;
  }

  std::span<const std::byte> in_;
  std::string label_;
  std::size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, ValuePtr> memo_;
  std::map<std::string, StorageRef> storages_;
  std::vector<ValuePtr> arena_;
};

}  // namespace

std::vector<TensorRef> parse_state_dict_pickle(std::span<const std::byte> pickle, const std::string& label) {
  Machine machine(pickle, label);
  auto root = machine.run();
  if (root->kind != Value::kDict)
    throw Error(ErrorCode::kCorrupt, label + ": data.pkl holds a " + std::string(kind_name(root->kind)) +
                                         ", expected a state_dict (a dict of tensors)");
  std::vector<TensorRef> out;
  for (std::size_t k = 0; k + 1 < root->items.size(); k += 2) {
    const auto& key = root->items[k];
    const auto& value = root->items[k + 1];
    if (key->kind != Value::kStr)
      throw Error(ErrorCode::kCorrupt, label + ": state_dict key is a " + std::string(kind_name(key->kind)) +
                                           ", expected a string");
    if (value->kind != Value::kTensor)
      throw Error(ErrorCode::kCorrupt, label + ": state_dict['" + key->s + "'] is a " +
                                           std::string(kind_name(value->kind)) + ", expected a tensor");
    TensorRef t = value->tensor;
    t.name = key->s;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace splade::hf
