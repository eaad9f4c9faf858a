// Helpers shared by the register_*.cpp files: Python str -> UTF-8 with tiktoken's handling of
// lone surrogates, token sequences in and out, and the GIL policy.
#pragma once

#include <pybind11/pybind11.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenmaxx/token/encoding.hpp"
#include "tokenmaxx/token/model_table.hpp"
#include "tokenmaxx/token/registry.hpp"

namespace tokenmaxx_python {

namespace py = pybind11;
using tokenmaxx::rank_t;

// Texts shorter than this are tokenized without releasing the GIL: the work takes a few
// microseconds, and handing the GIL over would cost more (and invite convoys between threads).
inline constexpr std::size_t release_gil_bytes = 512;

// pyo3's TypeError text for an argument of the wrong type, which tiktoken 0.14 raises:
// "'bytes' object is not an instance of 'str'" ("'None' is not an instance of 'str'" for None).
[[noreturn]] inline void raise_not_an_instance(py::handle o, const char* expected) {
  std::string what = o.is_none()
                         ? std::string("'None'")
                         : "'" + py::str(py::type::handle_of(o).attr("__qualname__")).cast<std::string>() + "' object";
  throw py::type_error(what + " is not an instance of '" + expected + "'");
}

// The UTF-8 bytes of a Python str, valid while `text` (or `keep`) is alive. A str that holds
// surrogate code points cannot be UTF-8 encoded; like tiktoken, such text is first rewritten with
// text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") (pairs are joined, lone
// surrogates become U+FFFD), and the rewritten str is stored in `keep`.
inline std::string_view utf8_of(py::handle text, py::object& keep) {
  if (!PyUnicode_Check(text.ptr())) raise_not_an_instance(text, "str");
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (!data) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) throw py::error_already_set();
    PyErr_Clear();
    py::object utf16 = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(text.ptr(), "utf-16", "surrogatepass"));
    if (!utf16) throw py::error_already_set();
    keep = py::reinterpret_steal<py::object>(
        PyUnicode_Decode(PyBytes_AS_STRING(utf16.ptr()), PyBytes_GET_SIZE(utf16.ptr()), "utf-16", "replace"));
    if (!keep) throw py::error_already_set();
    data = PyUnicode_AsUTF8AndSize(keep.ptr(), &size);
    if (!data) throw py::error_already_set();
  }
  return {data, static_cast<std::size_t>(size)};
}

// The UTF-8 bytes of a Python str, valid while `text` is alive; a str with surrogates raises
// UnicodeEncodeError, as the tiktoken methods without the rewrite above do (encode_to_numpy,
// encode_with_unstable).
inline std::string_view strict_utf8_of(py::handle text) {
  if (!PyUnicode_Check(text.ptr())) raise_not_an_instance(text, "str");
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (!data) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

inline std::string_view bytes_of(py::handle b) {
  if (!PyBytes_Check(b.ptr())) raise_not_an_instance(b, "bytes");
  char* data = nullptr;
  Py_ssize_t size = 0;
  PyBytes_AsStringAndSize(b.ptr(), &data, &size);
  return {data, static_cast<std::size_t>(size)};
}

// A token id from a Python int; like tiktoken, negative or too large values are OverflowError.
inline rank_t rank_of(py::handle o) {
  if (!PyLong_Check(o.ptr())) {
    // numpy integers and other objects with __index__
    py::object idx = py::reinterpret_steal<py::object>(PyNumber_Index(o.ptr()));
    if (!idx) throw py::error_already_set();
    return rank_of(idx);
  }
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(o.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow || v < 0 || v > static_cast<long long>(std::numeric_limits<rank_t>::max())) {
    PyErr_SetString(PyExc_OverflowError, "out of range integral type conversion attempted");
    throw py::error_already_set();
  }
  return static_cast<rank_t>(v);
}

// Token ids from any iterable of ints (list and tuple take a fast path).
inline std::vector<rank_t> ranks_of(py::handle seq) {
  std::vector<rank_t> out;
  if (PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr())) {
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    out.reserve(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) out.push_back(rank_of(items[i]));
    return out;
  }
  if (PyUnicode_Check(seq.ptr()) || PyBytes_Check(seq.ptr()))
    throw py::type_error("expected a sequence of token ids, got a string");
  for (py::handle item : py::iter(seq)) out.push_back(rank_of(item));
  return out;
}

inline py::list to_list(const std::vector<rank_t>& ids) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(ids.size()));
  if (!list) throw py::error_already_set();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    PyObject* v = PyLong_FromUnsignedLong(ids[i]);
    if (!v) {
      Py_DECREF(list);
      throw py::error_already_set();
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), v);
  }
  return py::reinterpret_steal<py::list>(list);
}

inline py::bytes to_bytes(std::string_view s) { return py::bytes(s.data(), s.size()); }

// Raises the Python exception for a failed absl::Status, with the C++ message. ResourceExhausted
// becomes the calling module part's own error class (ledger full, privacy budget spent); NotFound
// -> FileNotFoundError; Unavailable -> OSError; InvalidArgument, FailedPrecondition, DataLoss and
// OutOfRange -> ValueError; anything else -> RuntimeError.
[[noreturn]] inline void raise_status(const absl::Status& s, PyObject* resource_exhausted_error) {
  const std::string msg(s.message());
  switch (s.code()) {
    case absl::StatusCode::kResourceExhausted: PyErr_SetString(resource_exhausted_error, msg.c_str()); break;
    case absl::StatusCode::kNotFound: PyErr_SetString(PyExc_FileNotFoundError, msg.c_str()); break;
    case absl::StatusCode::kUnavailable: PyErr_SetString(PyExc_OSError, msg.c_str()); break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kOutOfRange: PyErr_SetString(PyExc_ValueError, msg.c_str()); break;
    default: PyErr_SetString(PyExc_RuntimeError, msg.c_str()); break;
  }
  throw py::error_already_set();
}

inline void check_status(const absl::Status& s, PyObject* resource_exhausted_error) {
  if (!s.ok()) raise_status(s, resource_exhausted_error);
}

template <class T>
T value_or_raise_status(absl::StatusOr<T> v, PyObject* resource_exhausted_error) {
  if (!v.ok()) raise_status(v.status(), resource_exhausted_error);
  return *std::move(v);
}

}  // namespace tokenmaxx_python
