#pragma once
// Errors as values (after Mesos' Try<T>): every fallible step returns a
// Result, and the message names the field or file that was wrong.
#include <string>
#include <utility>
#include <variant>

namespace vessel {

struct Error {
  std::string message;
  // True when retrying later may succeed (a source that is down or answers
  // garbage), false when the input itself is wrong (retrying cannot help).
  bool transient = false;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const std::string& error() const { return std::get<1>(v_).message; }
  bool transient() const { return !ok() && std::get<1>(v_).transient; }
  // The error with its classification, for passing it up unchanged.
  const Error& error_value() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok() { return Unit{}; }
inline Error err(std::string msg) { return Error{std::move(msg)}; }
inline Error transient_err(std::string msg) { return Error{std::move(msg), true}; }

}  // namespace vessel
