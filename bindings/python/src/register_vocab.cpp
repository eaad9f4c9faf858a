// Vocabularies (rank files) and the tables the Python layer derives its registry from: the known
// rank files with their pinned SHA-256 and official URLs, the built-in encodings, tiktoken's model
// tables and the supported pattern strings. Loading and parsing run without the GIL.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "tokenmaxx/token/pretokenizer.hpp"
#include "tokenmaxx/token/simd.hpp"
#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"
#include "tokenmaxx/token/vocab.hpp"

namespace py = pybind11;
using tokenmaxx::rank_t;
using tokenmaxx::vocabulary;

void register_vocab(py::module_& m) {
  py::class_<vocabulary, std::shared_ptr<vocabulary>>(m, "Vocabulary",
                                                      "An immutable BPE rank table (safe to share between threads).")
      .def_static(
          "load_vendor_file",
          [](const std::string& name, const std::string& path) {
            py::gil_scoped_release release;
            return tokenmaxx::vocabulary::load_vendor_file(name, path);
          },
          py::arg("name"), py::arg("path"),
          "Reads a vendor's rank file (vendor_vocab_files) from `path`: its format, its pinned SHA-256.")
      .def_static(
          "load_file",
          [](const std::filesystem::path& path, std::optional<std::string> expected_sha256) {
            py::gil_scoped_release release;
            std::optional<std::string_view> sha;
            if (expected_sha256) sha = *expected_sha256;
            return std::make_shared<vocabulary>(vocabulary::load_file(path, sha));
          },
          py::arg("path"), py::arg("expected_sha256") = py::none(),
          "Reads and parses a .tiktoken rank file; with expected_sha256 the file must match it (VocabError otherwise).")
      .def_static(
          "parse",
          [](const py::bytes& data, const std::string& source) {
            const std::string_view contents = tokenmaxx_python::bytes_of(data);
            py::gil_scoped_release release;
            return std::make_shared<vocabulary>(vocabulary::parse(contents, source));
          },
          py::arg("data"), py::arg("source") = "<memory>", "Parses the contents of a .tiktoken rank file.")
      .def_static(
          "from_ranks",
          [](const py::dict& ranks, const std::string& source) {
            std::vector<std::pair<std::string, rank_t>> pairs;
            pairs.reserve(ranks.size());
            for (auto [k, v] : ranks)
              pairs.emplace_back(std::string(tokenmaxx_python::bytes_of(k)), tokenmaxx_python::rank_of(v));
            py::gil_scoped_release release;
            return std::make_shared<vocabulary>(vocabulary::from_ranks(pairs, source));
          },
          py::arg("ranks"), py::arg("source") = "<ranks>", "A vocabulary from a dict mapping token bytes to ranks.")
      .def("__len__", &vocabulary::size)
      .def_property_readonly("max_rank", &vocabulary::max_rank)
      .def_property_readonly("source", &vocabulary::source)
      .def(
          "find",
          [](const vocabulary& v, const py::bytes& b) -> std::optional<rank_t> {
            const rank_t r = v.find(tokenmaxx_python::bytes_of(b));
            if (r == tokenmaxx::no_rank) return std::nullopt;
            return r;
          },
          py::arg("token"), "The rank of these token bytes, or None.")
      .def(
          "bytes_of",
          [](const vocabulary& v, rank_t r) -> py::object {
            if (auto b = v.bytes_of(r)) return tokenmaxx_python::to_bytes(*b);
            return py::none();
          },
          py::arg("rank"), "The bytes of a rank, or None.")
      .def(
          "to_dict",
          [](const vocabulary& v) {
            py::dict d;
            for (rank_t r = 0; v.size() && r <= v.max_rank(); ++r)
              if (auto b = v.bytes_of(r)) d[tokenmaxx_python::to_bytes(*b)] = py::int_(r);
            return d;
          },
          "dict mapping token bytes to ranks (tiktoken's mergeable_ranks), in rank order.")
      .def("__repr__", [](const vocabulary& v) {
        return "<tokenmaxx._core.token.Vocabulary " + std::to_string(v.size()) + " tokens from " + v.source() + ">";
      });

  m.def(
      "known_vocab_files",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string>> out;
        for (const auto& k : tokenmaxx::known_vocab_files)
          out.emplace_back(std::string(k.file_name), std::string(k.sha256), std::string(k.url));
        return out;
      },
      "(file name, pinned SHA-256, official URL) of every known rank file.");
  m.def(
      "vendor_vocab_files",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>> out;
        for (const auto& k : tokenmaxx::vendor_vocab_files)
          out.emplace_back(std::string(k.file_name), std::string(k.sha256), std::string(k.distribution),
                           std::string(k.package_path), std::string(k.format));
        return out;
      },
      "(file name, pinned SHA-256, PyPI distribution, path in site-packages, format) of every rank file "
      "that a model vendor's package ships.");
  m.def("simd_backend", [] { return std::string(tokenmaxx::simd_backend()); },
        "The SIMD backend the pretokenizer uses (chosen at first use; TOKENMAXX_SIMD forces one).");
  m.def("available_simd_backends", [] {
        std::vector<std::string> out;
        for (std::string_view b : tokenmaxx::available_simd_backends()) out.emplace_back(b);
        return out;
      },
        "The SIMD backends this build carries and this CPU runs, best last.");
  m.def("vocab_cache_dir", &tokenmaxx::vocab_cache_dir,
        "The per-user cache folder: $TOKENMAXX_CACHE_DIR, else $XDG_CACHE_HOME/tokenmaxx, else ~/.cache/tokenmaxx.");
  m.def(
      "builtin_encodings",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string>> out;
        for (const auto& e : tokenmaxx::builtin_encodings)
          out.emplace_back(std::string(e.name), std::string(e.vocab_file),
                           std::string(tokenmaxx::family_name(e.family)));
        return out;
      },
      "(name, rank file, pretokenizer family) of every built-in encoding, in tiktoken's order.");
  m.def(
      "builtin_special_tokens",
      [](const std::string& name) { return tokenmaxx::builtin_special_tokens(name); }, py::arg("name"),
      "The special tokens of a built-in encoding as (text, id) pairs, in tiktoken's order.");
  m.def(
      "model_to_encoding",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& [model, enc] : tokenmaxx::model_to_encoding) out.emplace_back(model, enc);
        return out;
      },
      "tiktoken's MODEL_TO_ENCODING as (model, encoding) pairs.");
  m.def(
      "model_prefix_to_encoding",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& [prefix, enc] : tokenmaxx::model_prefix_to_encoding) out.emplace_back(prefix, enc);
        return out;
      },
      "tiktoken's MODEL_PREFIX_TO_ENCODING as (prefix, encoding) pairs, in matching order.");
  m.def(
      "family_for_pattern",
      [](const std::string& pattern) -> std::optional<std::string> {
        if (auto f = tokenmaxx::family_for_pattern(pattern)) return std::string(tokenmaxx::family_name(*f));
        return std::nullopt;
      },
      py::arg("pattern"), "The pretokenizer family implementing this exact regex pattern, or None.");
  m.def(
      "family_patterns",
      [] {
        std::vector<std::tuple<std::string, std::string, bool>> out;
        for (const auto& fp : tokenmaxx::family_patterns)
          out.emplace_back(std::string(fp.family_name), std::string(fp.pattern), fp.canonical);
        return out;
      },
      "(family, pattern, canonical) for every supported pattern string.");
}
