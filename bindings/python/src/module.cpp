// The private extension module tokenmaxx._core. The public API is the pure-Python package in
// bindings/python/tokenmaxx/; this module only binds the C++ core, one register_*.cpp per concept.
#include <pybind11/pybind11.h>

#include <exception>
#include <string>

#include "tokenmaxx/base/version.hpp"
#include "tokenmaxx/token/errors.hpp"

namespace py = pybind11;

void register_vocab(py::module_& m);
void register_encoding(py::module_& m);
void register_hf_tokenizer(py::module_& m);
void register_usage(py::module_& m);
void register_privacy(py::module_& m);

namespace {

PyObject* g_vocab_error = nullptr;  // tokenmaxx._core.VocabError (a ValueError); lives for the process

// tiktoken's message for a disallowed special token (tiktoken/core.py, raise_disallowed_special_token).
std::string disallowed_special_message(const std::string& token) {
  const std::string r = py::repr(py::str(token)).cast<std::string>();
  return "Encountered text corresponding to disallowed special token " + r +
         ".\nIf you want this text to be encoded as a special token, pass it to `allowed_special`, e.g. "
         "`allowed_special={" + r + ", ...}`.\nIf you want this text to be encoded as normal text, disable the check "
         "for this token by passing `disallowed_special=(enc.special_tokens_set - {" + r +
         "})`.\nTo disable this check for all special tokens, pass `disallowed_special=()`.\n";
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "tokenmaxx native core (private: use the tokenmaxx package)";
  m.attr("__version__") = TOKENMAXX_VERSION;  // include/tokenmaxx/base/version.hpp, the one version number
  g_vocab_error = PyErr_NewExceptionWithDoc("tokenmaxx._core.token.VocabError",
                                            "A rank file that cannot be read, does not parse, or fails its pinned SHA-256.",
                                            PyExc_ValueError, nullptr);
  // One submodule per subsystem, importable by name (tokenmaxx._core.token, ...).
  py::module_ token = m.def_submodule("token", "The tokenizer: vocabularies, encodings, tables.");
  py::module_ usage = m.def_submodule("usage", "Usage accounting: ledger, prices, snapshots, exports.");
  py::module_ privacy = m.def_submodule("privacy", "Private adoption metrics: pseudonyms, budget, release.");
  py::dict modules = py::module_::import("sys").attr("modules");
  modules["tokenmaxx._core.token"] = token;
  modules["tokenmaxx._core.usage"] = usage;
  modules["tokenmaxx._core.privacy"] = privacy;
  token.attr("VocabError") = py::handle(g_vocab_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tokenmaxx::disallowed_special_error& e) {
      PyErr_SetString(PyExc_ValueError, disallowed_special_message(e.token()).c_str());
    } catch (const tokenmaxx::vocab_error& e) {
      PyErr_SetString(g_vocab_error, e.what());
    } catch (const tokenmaxx::invalid_token_error& e) {
      PyErr_SetObject(PyExc_KeyError, py::str("Invalid token for decoding: " + std::to_string(e.token())).ptr());
    } catch (const tokenmaxx::error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  token.def("disallowed_special_message", &disallowed_special_message, py::arg("token"),
        "tiktoken's ValueError message for a disallowed special token.");
  register_vocab(token);
  register_encoding(token);
  register_hf_tokenizer(token);
  register_usage(usage);
  register_privacy(privacy);
}
