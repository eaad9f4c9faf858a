// tokenmaxx::encoding for Python. Text is converted to UTF-8 with the GIL held (surrogates are
// rewritten as tiktoken does, see common.hpp), then tokenized with the GIL released; batch calls
// run on the native thread pool. An encoding is immutable, so one object serves many threads.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common.hpp"
#include "tokenmaxx/token/detail/thread_pool.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"
#include "tokenmaxx/token/unstable.hpp"
#include "tokenmaxx/token/chat.hpp"
#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/hf_tokenizer.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"

namespace py = pybind11;
using tokenmaxx::encoding;
using tokenmaxx::rank_t;
using tokenmaxx::special_set;
using namespace tokenmaxx_python;

namespace {

// "all" or an iterable of special-token strings.
special_set special_set_of(py::handle o) {
  if (PyUnicode_Check(o.ptr())) {
    if (py::str(o).cast<std::string>() == "all") return special_set::all();
    throw py::type_error("expected \"all\" or a collection of special-token strings");
  }
  std::vector<std::string> names;
  for (py::handle item : py::iter(o)) names.push_back(py::cast<std::string>(item));
  return special_set(std::move(names));
}

// UTF-8 views of an iterable of str, kept alive by `owners`. A str is an iterable of its
// characters, as in tiktoken's batch methods (encode_batch("abc") encodes "a", "b" and "c").
struct text_batch {
  std::vector<py::object> owners;
  std::vector<std::string_view> texts;
  explicit text_batch(py::handle iterable) {
    for (py::handle item : py::iter(iterable)) {
      py::object keep;
      const std::string_view v = utf8_of(item, keep);
      owners.push_back(keep ? std::move(keep) : py::reinterpret_borrow<py::object>(item));
      texts.push_back(v);
    }
  }
};

std::size_t thread_count(long num_threads) {
  if (num_threads < 1) throw py::value_error("max_workers must be greater than 0");
  return static_cast<std::size_t>(num_threads);
}

class py_encoding {
 public:
  py_encoding(std::string name, const std::string& family, std::shared_ptr<const tokenmaxx::vocabulary> vocab,
              std::vector<std::pair<std::string, rank_t>> specials, std::optional<std::size_t> explicit_n_vocab) {
    const auto f = tokenmaxx::family_from_name(family);
    if (!f) throw py::value_error("unknown pretokenizer family '" + family + "' (expected gpt2, cl100k or o200k)");
    enc_ = std::make_shared<const encoding>(std::move(name), *f, std::move(vocab), std::move(specials), explicit_n_vocab);
  }
  // An encoding split by `pattern`: a family's scanner when one implements it (unless
  // `force_regex`), else the pattern compiled with PCRE2.
  py_encoding(std::string name, std::string_view pattern, bool force_regex,
              std::shared_ptr<const tokenmaxx::vocabulary> vocab, std::vector<std::pair<std::string, rank_t>> specials,
              std::optional<std::size_t> explicit_n_vocab) {
    auto pre = force_regex ? tokenmaxx::pretokenizer::compile_regex(pattern) : tokenmaxx::pretokenizer::from_pattern(pattern);
    enc_ = std::make_shared<const encoding>(std::move(name), std::move(pre), std::move(vocab), std::move(specials),
                                            explicit_n_vocab);
  }

  const encoding& enc() const { return *enc_; }

  template <class F>
  static auto maybe_released(std::size_t bytes, F&& f) {
    if (bytes < release_gil_bytes) return f();
    py::gil_scoped_release release;
    return f();
  }

  py::list encode_ordinary(py::handle text) const {
    py::object keep;
    const auto s = utf8_of(text, keep);
    return to_list(maybe_released(s.size(), [&] { return enc_->encode_ordinary(s); }));
  }

  py::list encode(py::handle text, py::handle allowed, py::handle disallowed) const {
    py::object keep;
    const auto s = utf8_of(text, keep);
    const special_set a = special_set_of(allowed), d = special_set_of(disallowed);
    return to_list(maybe_released(s.size(), [&] { return enc_->encode(s, a, d); }));
  }

  py::bytes encode_to_uint32_bytes(py::handle text, py::handle allowed, py::handle disallowed) const {
    const auto s = strict_utf8_of(text);
    const special_set a = special_set_of(allowed), d = special_set_of(disallowed);
    const auto ids = maybe_released(s.size(), [&] { return enc_->encode(s, a, d); });
    return py::bytes(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(rank_t));
  }

  std::size_t count(py::handle text) const {
    py::object keep;
    const auto s = utf8_of(text, keep);
    return maybe_released(s.size(), [&] { return enc_->count(s); });
  }

  std::size_t count_until(py::handle text, std::size_t limit) const {
    py::object keep;
    const auto s = utf8_of(text, keep);
    return maybe_released(s.size(), [&] { return enc_->count_until(s, limit); });
  }

  py::list encode_ordinary_batch(py::handle texts, long num_threads) const {
    const text_batch batch(texts);
    std::vector<std::vector<rank_t>> out(batch.texts.size());
    run(batch.texts.size(), thread_count(num_threads), [&](std::size_t i) { out[i] = enc_->encode_ordinary(batch.texts[i]); });
    return lists(out);
  }

  py::list encode_batch(py::handle texts, py::handle allowed, py::handle disallowed, long num_threads) const {
    const text_batch batch(texts);
    const special_set a = special_set_of(allowed), d = special_set_of(disallowed);
    std::vector<std::vector<rank_t>> out(batch.texts.size());
    run(batch.texts.size(), thread_count(num_threads), [&](std::size_t i) { out[i] = enc_->encode(batch.texts[i], a, d); });
    return lists(out);
  }

  std::vector<std::size_t> count_batch(py::handle texts, long num_threads) const {
    const text_batch batch(texts);
    std::vector<std::size_t> out(batch.texts.size());
    run(batch.texts.size(), thread_count(num_threads), [&](std::size_t i) { out[i] = enc_->count(batch.texts[i]); });
    return out;
  }

  py::bytes decode_bytes(py::handle tokens) const {
    const std::vector<rank_t> ids = ranks_of(tokens);
    std::string out;
    try {
      out = maybe_released(ids.size() * 4, [&] { return enc_->decode(ids); });
    } catch (const tokenmaxx::invalid_token_error& e) {
      throw py::key_error("Invalid token for decoding: " + std::to_string(e.token()));
    }
    return to_bytes(out);
  }

  py::list decode_bytes_batch(py::handle batch, long num_threads) const {
    if (PyUnicode_Check(batch.ptr()) || PyBytes_Check(batch.ptr())) throw py::type_error("expected a list of token lists");
    std::vector<std::vector<rank_t>> in;
    for (py::handle item : py::iter(batch)) in.push_back(ranks_of(item));
    std::vector<std::string> out(in.size());
    try {
      run(in.size(), thread_count(num_threads), [&](std::size_t i) { out[i] = enc_->decode(in[i]); });
    } catch (const tokenmaxx::invalid_token_error& e) {
      throw py::key_error("Invalid token for decoding: " + std::to_string(e.token()));
    }
    py::list result(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) result[i] = to_bytes(out[i]);
    return result;
  }

  py::bytes decode_single_token_bytes(py::handle token) const {
    const rank_t r = rank_of(token);
    try {
      return to_bytes(enc_->token_bytes(r));
    } catch (const tokenmaxx::invalid_token_error&) {
      throw py::key_error(std::to_string(r));
    }
  }

  py::list decode_tokens_bytes(py::handle tokens) const {
    const std::vector<rank_t> ids = ranks_of(tokens);
    py::list out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      try {
        out[i] = to_bytes(enc_->token_bytes(ids[i]));
      } catch (const tokenmaxx::invalid_token_error&) {
        throw py::key_error(std::to_string(ids[i]));
      }
    }
    return out;
  }

  // tiktoken's token_byte_values: the bytes of every mergeable token, sorted.
  py::list token_byte_values() const {
    const auto& all = sorted_tokens().all();
    py::list out(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) out[i] = to_bytes(all[i]);
    return out;
  }

  // tiktoken's encode_single_token: a vocabulary entry or a special token's text, else KeyError.
  rank_t encode_single_token(py::handle piece) const {
    const std::string_view b = bytes_of(piece);
    if (const rank_t r = enc_->vocab().find(b); r != tokenmaxx::no_rank) return r;
    if (auto id = enc_->special_token_id(b)) return *id;
    PyErr_SetObject(PyExc_KeyError, piece.ptr());  // KeyError(b'...'), as tiktoken
    throw py::error_already_set();
  }

  // tiktoken's encode_with_unstable: (stable tokens, completion sequences in sorted order).
  py::tuple encode_with_unstable(py::handle text, py::handle allowed, py::handle disallowed) const {
    const auto s = strict_utf8_of(text);
    const special_set a = special_set_of(allowed), d = special_set_of(disallowed);
    tokenmaxx::unstable_encoding r;
    {
      py::gil_scoped_release release;
      r = tokenmaxx::encode_with_unstable(*enc_, sorted_tokens(), s, a, d);
    }
    py::list completions;
    for (const auto& seq : r.completions) completions.append(to_list(seq));
    return py::make_tuple(to_list(r.stable), completions);
  }

  // tiktoken's _encode_bytes: bytes that may end in invalid UTF-8.
  py::list encode_bytes(py::handle data) const {
    const std::string_view b = bytes_of(data);
    return to_list(maybe_released(b.size(), [&] { return tokenmaxx::encode_bytes(*enc_, b); }));
  }

  // tiktoken's _encode_single_piece: byte-pair merging of the bytes as one piece, no splitting.
  py::list encode_single_piece(py::handle piece) const {
    const std::string_view b = bytes_of(piece);
    return to_list(enc_->encode_piece(b));
  }

 private:
  template <class F>
  static void run(std::size_t n, std::size_t threads, F&& f) {
    py::gil_scoped_release release;
    tokenmaxx::token_detail::thread_pool::instance().parallel_for(n, threads, f);
  }

  static py::list lists(const std::vector<std::vector<rank_t>>& v) {
    py::list out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_list(v[i]);
    return out;
  }

  // The token bytes in byte order, built on first use (any thread) and kept.
  const tokenmaxx::sorted_token_bytes& sorted_tokens() const {
    std::call_once(sorted_->once, [&] { sorted_->tokens.emplace(enc_->vocab()); });
    return *sorted_->tokens;
  }

  struct lazy_sorted_tokens {
    std::once_flag once;
    std::optional<tokenmaxx::sorted_token_bytes> tokens;
  };
  std::shared_ptr<const encoding> enc_;
  std::shared_ptr<lazy_sorted_tokens> sorted_ = std::make_shared<lazy_sorted_tokens>();
};

// An HFTokenizer method taking text: its UTF-8 is read with the GIL held, then `call` runs without it.
template <class Call>
auto on_text(Call call) {
  return [call](const tokenmaxx::hf_tokenizer& t, py::handle text) {
    py::object keep;
    const std::string_view s = tokenmaxx_python::utf8_of(text, keep);
    py::gil_scoped_release release;
    return call(t, s);
  };
}

}  // namespace

void register_hf_tokenizer(py::module_& m) {
  using tokenmaxx::hf_tokenizer;
  py::class_<hf_tokenizer>(m, "HFTokenizer",
                           "Byte-level BPE from a Hugging Face tokenizer.json, exact to tokenizers' "
                           "encode(text, add_special_tokens=False) (immutable, thread-safe).")
      .def_static(
          "from_file",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return hf_tokenizer::load_file(path);
          },
          py::arg("path"), "Loads tokenizer.json; ValueError naming any unsupported feature.")
      .def_static(
          "from_str", [](std::string_view json) { return hf_tokenizer::parse(json, "<str>"); }, py::arg("json"),
          "Parses tokenizer.json contents; ValueError naming any unsupported feature.")
      .def("encode", on_text([](const hf_tokenizer& t, std::string_view s) { return t.encode(s); }), py::arg("text"),
           "Token ids; added tokens in the text become their ids.")
      .def("encode_ordinary", on_text([](const hf_tokenizer& t, std::string_view s) { return t.encode_ordinary(s); }),
           py::arg("text"), "Token ids with added-token text tokenized as plain text.")
      .def("count", on_text([](const hf_tokenizer& t, std::string_view s) { return t.count(s); }), py::arg("text"),
           "len(encode(text)) without building the list.")
      .def(
          "decode_bytes",
          [](const hf_tokenizer& t, const std::vector<rank_t>& ids) { return py::bytes(t.decode(ids)); },
          py::arg("tokens"), "The bytes of the tokens.")
      .def(
          "decode",
          [](const hf_tokenizer& t, const std::vector<rank_t>& ids) {
            const std::string b = t.decode(ids);
            return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(b.data(), static_cast<Py_ssize_t>(b.size()), "replace"));
          },
          py::arg("tokens"), "The text of the tokens (invalid UTF-8 replaced, as tokenizers' decoder does).")
      .def("token_to_id", [](const hf_tokenizer& t, std::string_view b) { return t.token_to_id(b); }, py::arg("token"),
           "The id of a token given as its bytes (a vocabulary token or an added token), else None.")
      .def_property_readonly("vocab_size", &hf_tokenizer::vocab_size)
      .def_property_readonly("added_tokens", &hf_tokenizer::added_tokens);
}

void register_encoding(py::module_& m) {
  py::class_<py_encoding>(m, "CoreEncoding",
                          "The native tokenizer behind tokenmaxx.Encoding (immutable, thread-safe).")
      .def(py::init<std::string, const std::string&, std::shared_ptr<const tokenmaxx::vocabulary>,
                    std::vector<std::pair<std::string, rank_t>>, std::optional<std::size_t>>(),
           py::arg("name"), py::arg("family"), py::arg("vocab"), py::arg("special_tokens"),
           py::arg("explicit_n_vocab") = py::none())
      .def_static(
          "from_pattern",
          [](std::string name, std::string_view pattern, std::shared_ptr<const tokenmaxx::vocabulary> vocab,
             std::vector<std::pair<std::string, rank_t>> specials, std::optional<std::size_t> explicit_n_vocab,
             bool force_regex) {
            return py_encoding(std::move(name), pattern, force_regex, std::move(vocab), std::move(specials),
                               explicit_n_vocab);
          },
          py::arg("name"), py::arg("pattern"), py::arg("vocab"), py::arg("special_tokens"),
          py::arg("explicit_n_vocab") = py::none(), py::arg("force_regex") = false,
          "An encoding split by a tiktoken pattern: the scanner of its family when one implements it, else "
          "the pattern compiled with PCRE2 (always, with force_regex). ValueError when it does not compile.")
      .def_property_readonly("name", [](const py_encoding& e) { return e.enc().name(); })
      .def_property_readonly("family",
                             [](const py_encoding& e) { return std::string(tokenmaxx::family_name(e.enc().family())); })
      .def_property_readonly("pattern",
                             [](const py_encoding& e) { return std::string(e.enc().get_pretokenizer().pattern()); })
      .def_property_readonly(
          "pcre2_pattern", [](const py_encoding& e) { return std::string(e.enc().get_pretokenizer().pcre2_pattern()); },
          "The PCRE2 spelling of a compiled pattern (empty for a hand-written scanner).")
      .def(
          "count_chat_json",
          [](const py_encoding& e, std::string_view request) {
            const tokenmaxx::chat_count c = tokenmaxx::count_chat_json(e.enc(), request);
            return py::make_tuple(c.prompt_tokens, c.messages, std::string(tokenmaxx::chat_method_name(c.method)));
          },
          py::arg("request_json"), "(prompt_tokens, messages, method) of a chat request (token/chat.hpp); ValueError if malformed.")
      .def(
          "render_harmony_json",
          [](const py_encoding& e, std::string_view request) {
            return tokenmaxx::render_harmony(e.enc(), tokenmaxx::parse_chat_request(request));
          },
          py::arg("request_json"), "The harmony token ids of a chat request followed by the assistant's turn.")
      .def("pieces", [](const py_encoding& e, std::string_view text) { return e.enc().pieces(text); },
           py::arg("text"), "The (begin, end) byte ranges of the pretokenized pieces of UTF-8 bytes or str.")
      .def_property_readonly("max_token_value", [](const py_encoding& e) { return e.enc().max_token_value(); })
      .def_property_readonly("n_vocab", [](const py_encoding& e) { return e.enc().n_vocab(); })
      .def_property_readonly("eot_token", [](const py_encoding& e) { return e.enc().eot_token(); })
      .def_property_readonly("special_tokens", [](const py_encoding& e) { return e.enc().special_tokens(); })
      .def_property_readonly("vocab_size", [](const py_encoding& e) { return e.enc().vocab().size(); })
      .def("encode_ordinary", &py_encoding::encode_ordinary, py::arg("text"))
      .def("encode", &py_encoding::encode, py::arg("text"), py::arg("allowed_special"), py::arg("disallowed_special"))
      .def("encode_to_uint32_bytes", &py_encoding::encode_to_uint32_bytes, py::arg("text"), py::arg("allowed_special"),
           py::arg("disallowed_special"))
      .def("count", &py_encoding::count, py::arg("text"))
      .def("count_until", &py_encoding::count_until, py::arg("text"), py::arg("limit"))
      .def("encode_ordinary_batch", &py_encoding::encode_ordinary_batch, py::arg("texts"), py::arg("num_threads"))
      .def("encode_batch", &py_encoding::encode_batch, py::arg("texts"), py::arg("allowed_special"),
           py::arg("disallowed_special"), py::arg("num_threads"))
      .def("count_batch", &py_encoding::count_batch, py::arg("texts"), py::arg("num_threads"))
      .def("decode_bytes", &py_encoding::decode_bytes, py::arg("tokens"))
      .def("decode_bytes_batch", &py_encoding::decode_bytes_batch, py::arg("batch"), py::arg("num_threads"))
      .def("decode_single_token_bytes", &py_encoding::decode_single_token_bytes, py::arg("token"))
      .def("decode_tokens_bytes", &py_encoding::decode_tokens_bytes, py::arg("tokens"))
      .def("token_byte_values", &py_encoding::token_byte_values)
      .def("encode_single_token", &py_encoding::encode_single_token, py::arg("piece"))
      .def("encode_single_piece", &py_encoding::encode_single_piece, py::arg("piece"))
      .def("encode_with_unstable", &py_encoding::encode_with_unstable, py::arg("text"), py::arg("allowed_special"),
           py::arg("disallowed_special"))
      .def("encode_bytes", &py_encoding::encode_bytes, py::arg("data"));
}
