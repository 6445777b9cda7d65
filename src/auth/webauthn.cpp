// SPDX-License-Identifier: Apache-2.0
#include "auth/webauthn.h"

#include <cbor.h>

#include <array>
#include <memory>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::auth {

using base::ErrorCode;
using base::Fail;
using base::Result;
using base::Status;

namespace {

constexpr std::string_view kCreateType = "webauthn.create";
constexpr std::string_view kGetType = "webauthn.get";

// The authenticator data header: rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian).
constexpr std::size_t kRpIdHashBytes = 32;
constexpr std::size_t kAuthenticatorDataHeaderBytes = kRpIdHashBytes + 1 + 4;
constexpr std::size_t kAaguidBytes = 16;
constexpr std::size_t kCoordinateBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;

constexpr std::uint8_t kFlagUserPresent = 0x01;
constexpr std::uint8_t kFlagUserVerified = 0x04;
constexpr std::uint8_t kFlagBackupEligible = 0x08;
constexpr std::uint8_t kFlagBackedUp = 0x10;
constexpr std::uint8_t kFlagAttestedCredentialData = 0x40;
constexpr std::uint8_t kFlagExtensionData = 0x80;

// COSE_Key labels and values (RFC 9052 §7.1, RFC 9053 §7).
constexpr std::int64_t kCoseLabelKty = 1;
constexpr std::int64_t kCoseLabelAlg = 3;
constexpr std::int64_t kCoseLabelCrv = -1;
constexpr std::int64_t kCoseLabelX = -2;
constexpr std::int64_t kCoseLabelY = -3;
constexpr std::int64_t kCoseLabelD = -4;
constexpr std::int64_t kCoseKtyOkp = 1;
constexpr std::int64_t kCoseKtyEc2 = 2;
constexpr std::int64_t kCoseCrvP256 = 1;
constexpr std::int64_t kCoseCrvEd25519 = 6;

std::uint8_t ByteAt(std::string_view bytes, std::size_t index) {
  return static_cast<std::uint8_t>(bytes[index]);
}

const unsigned char* Unsigned(std::string_view bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

tl::unexpected<base::Error> Malformed(std::string_view what) {
  return Fail(ErrorCode::kInvalidArgument, std::string(what));
}

tl::unexpected<base::Error> Refused(std::string_view what) {
  return Fail(ErrorCode::kUnauthenticated, std::string(what));
}

// ---------------------------------------------------------------------------------------------
// CBOR. libcbor's cbor_load allocates what the header of an array or map announces before it
// has seen the entries, stacks as deep as the input nests, and accepts indefinite lengths.
// So a small walker checks the structure first — definite lengths only, no tags, bounded depth,
// entries per container and items overall, every length within the input — and measures the
// first item; only then does libcbor build the tree of exactly those bytes.

struct CborLimits {
  int max_depth = 6;  // attestationObject → attStmt → x5c → cert is 3
  std::uint64_t max_container_entries = 64;
  std::size_t max_items = 1024;
};

class CborScanner {
 public:
  CborScanner(std::string_view bytes, const CborLimits& limits) : bytes_(bytes), limits_(limits) {}

  // The encoded length of the first data item.
  Result<std::size_t> MeasureFirstItem() {
    CAMGUARD_TRY_STATUS(Item(0));
    return position_;
  }

 private:
  std::size_t Remaining() const { return bytes_.size() - position_; }

  Result<std::uint64_t> Argument(std::uint8_t additional) {
    if (additional < 24) return additional;
    if (additional > 27) return Malformed("CBOR: reserved additional information");
    const std::size_t width = std::size_t{1} << (additional - 24);
    if (Remaining() < width) return Malformed("CBOR: truncated item");
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | ByteAt(bytes_, position_ + i);
    position_ += width;
    return value;
  }

  Status Item(int depth) {
    if (Remaining() == 0) return Malformed("CBOR: truncated item");
    if (++items_ > limits_.max_items) return Malformed("CBOR: too many items");
    const std::uint8_t initial = ByteAt(bytes_, position_++);
    const int major = initial >> 5;
    const auto additional = static_cast<std::uint8_t>(initial & 0x1f);
    if (additional == 31) return Malformed("CBOR: indefinite lengths are not accepted");
    CAMGUARD_TRY(const std::uint64_t argument, Argument(additional));
    switch (major) {
      case 0:
      case 1: return base::Ok();
      case 2:
      case 3:
        if (argument > Remaining()) return Malformed("CBOR: string longer than the input");
        position_ += static_cast<std::size_t>(argument);
        return base::Ok();
      case 4:
      case 5: {
        if (depth >= limits_.max_depth) return Malformed("CBOR: nested too deeply");
        if (argument > limits_.max_container_entries) {
          return Malformed("CBOR: too many entries in an array or map");
        }
        const std::uint64_t items = major == 5 ? argument * 2 : argument;
        for (std::uint64_t i = 0; i < items; ++i) CAMGUARD_TRY_STATUS(Item(depth + 1));
        return base::Ok();
      }
      case 6: return Malformed("CBOR: tags are not accepted");
      default:
        // false, true, null, undefined and the three float widths; nothing else is assigned.
        if ((additional >= 20 && additional <= 23) || (additional >= 25 && additional <= 27)) {
          return base::Ok();
        }
        return Malformed("CBOR: unassigned simple value");
    }
  }

  std::string_view bytes_;
  const CborLimits& limits_;
  std::size_t position_ = 0;
  std::size_t items_ = 0;
};

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborDeleter>;

struct LoadedCbor {
  CborItem item;
  std::size_t length = 0;  // bytes of the input the item took
};

// Decodes the first item of `bytes`; what follows it is left to the caller.
Result<LoadedCbor> LoadFirstItem(std::string_view bytes) {
  static const CborLimits kLimits;
  CAMGUARD_TRY(const std::size_t length, CborScanner(bytes, kLimits).MeasureFirstItem());
  cbor_load_result result{};
  CborItem item(cbor_load(Unsigned(bytes), length, &result));
  if (!item || result.error.code != CBOR_ERR_NONE || result.read != length) {
    return Malformed("CBOR: malformed item");
  }
  return LoadedCbor{std::move(item), length};
}

Result<CborItem> LoadExactlyOneItem(std::string_view bytes, std::string_view what) {
  CAMGUARD_TRY(LoadedCbor loaded, LoadFirstItem(bytes));
  if (loaded.length != bytes.size()) {
    return Malformed(fmt::format("{}: trailing bytes after the CBOR item", what));
  }
  return std::move(loaded.item);
}

std::optional<std::int64_t> CborInteger(const cbor_item_t* item) {
  if (cbor_isa_uint(item)) {
    const std::uint64_t value = cbor_get_int(item);
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (cbor_isa_negint(item)) {
    // A negative integer is stored as its magnitude minus one: -1 - value.
    const std::uint64_t value = cbor_get_int(item);
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<std::int64_t>(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> CborByteString(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  const std::size_t length = cbor_bytestring_length(item);
  if (length == 0) return std::string_view();
  return std::string_view(reinterpret_cast<const char*>(cbor_bytestring_handle(item)), length);
}

std::optional<std::string_view> CborTextString(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  const std::size_t length = cbor_string_length(item);
  if (length == 0) return std::string_view();
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), length);
}

// Calls `visit(key, value)` for every entry of a definite map, refusing keys that are neither
// integers nor text and keys that appear twice (CBOR allows duplicates; WebAuthn and COSE do
// not, and a second "alg" must not be able to shadow the first).
template <typename Visit>
Status ForEachMapEntry(const cbor_item_t* map, std::string_view what, Visit&& visit) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) {
    return Malformed(fmt::format("{} is not a CBOR map", what));
  }
  const std::size_t size = cbor_map_size(map);
  const cbor_pair* entries = cbor_map_handle(map);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < size; ++i) {
    const cbor_item_t* key = entries[i].key;
    std::string identity;
    if (const auto integer = CborInteger(key)) {
      identity = fmt::format("i{}", *integer);
    } else if (const auto text = CborTextString(key)) {
      identity = "t" + std::string(*text);
    } else {
      return Malformed(fmt::format("{}: keys must be integers or text", what));
    }
    if (!seen.insert(std::move(identity)).second) {
      return Malformed(fmt::format("{}: duplicate key", what));
    }
    CAMGUARD_TRY_STATUS(visit(key, entries[i].value));
  }
  return base::Ok();
}

// ---------------------------------------------------------------------------------------------
// OpenSSL

template <typename T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

// Failures here are answers about hostile input, not faults: they must not stay on this
// thread's OpenSSL error queue, where the TLS code would later read them as its own. Only the
// errors raised inside the scope are dropped.
class OpensslErrorScope {
 public:
  OpensslErrorScope() { ERR_set_mark(); }
  ~OpensslErrorScope() { ERR_pop_to_mark(); }
  OpensslErrorScope(const OpensslErrorScope&) = delete;
  OpensslErrorScope& operator=(const OpensslErrorScope&) = delete;
};

// The key as an OpenSSL object; null when the bytes are not a valid key (for P-256: a point
// that is not on the curve).
PkeyPtr ToOpensslKey(const CredentialPublicKey& key) {
  const OpensslErrorScope error_scope;
  if (key.algorithm == CoseAlgorithm::kEdDsa) {
    return PkeyPtr(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, Unsigned(key.x), key.x.size()));
  }
  std::string point = "\x04" + key.x + key.y;  // SEC 1 uncompressed point
  char group[] = "prime256v1";
  std::array<OSSL_PARAM, 3> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) return nullptr;
  PkeyPtr pkey(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return pkey;
}

// ES256: an ASN.1 DER ECDSA signature over SHA-256(message); EdDSA: a 64-byte Ed25519
// signature over the message itself.
bool SignatureVerifies(const CredentialPublicKey& key, std::string_view message,
                       std::string_view signature) {
  if (signature.empty() || signature.size() > kMaxSignatureBytes) return false;
  if (key.algorithm == CoseAlgorithm::kEdDsa && signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  const PkeyPtr pkey = ToOpensslKey(key);
  if (!pkey) return false;
  const OpensslErrorScope error_scope;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  const char* digest = key.algorithm == CoseAlgorithm::kEs256 ? "SHA256" : nullptr;
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, pkey.get(), nullptr) !=
      1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), Unsigned(signature), signature.size(), Unsigned(message),
                          message.size()) == 1;
}

// ---------------------------------------------------------------------------------------------
// COSE keys

Result<CredentialPublicKey> CoseKeyFromItem(const cbor_item_t* map) {
  // Which parameters a label holds depends on the key type (-1 is the curve of an EC2 key but
  // the modulus of an RSA key), so the values are read only once kty is known.
  const cbor_item_t* kty_item = nullptr;
  const cbor_item_t* alg_item = nullptr;
  const cbor_item_t* crv_item = nullptr;
  const cbor_item_t* x_item = nullptr;
  const cbor_item_t* y_item = nullptr;
  CAMGUARD_TRY_STATUS(ForEachMapEntry(
      map, "COSE key", [&](const cbor_item_t* key, const cbor_item_t* value) -> Status {
        const std::optional<std::int64_t> label = CborInteger(key);
        if (!label) return base::Ok();  // text labels are private use; none matters here
        switch (*label) {
          case kCoseLabelKty: kty_item = value; break;
          case kCoseLabelAlg: alg_item = value; break;
          case kCoseLabelCrv: crv_item = value; break;
          case kCoseLabelX: x_item = value; break;
          case kCoseLabelY: y_item = value; break;
          case kCoseLabelD: return Malformed("COSE key: contains a private key");
          default: break;  // kid, key_ops, base IV: not used
        }
        return base::Ok();
      }));
  if (kty_item == nullptr || alg_item == nullptr) {
    return Malformed("COSE key: kty and alg are required");
  }
  const std::optional<std::int64_t> kty = CborInteger(kty_item);
  const std::optional<std::int64_t> alg = CborInteger(alg_item);
  if (!kty || !alg) return Malformed("COSE key: kty and alg must be integers");
  // 0 is no curve and an empty string no coordinate: both fail the checks below.
  const std::int64_t crv = crv_item != nullptr ? CborInteger(crv_item).value_or(0) : 0;
  const std::string_view x =
      x_item != nullptr ? CborByteString(x_item).value_or(std::string_view()) : std::string_view();
  const std::string_view y =
      y_item != nullptr ? CborByteString(y_item).value_or(std::string_view()) : std::string_view();

  CredentialPublicKey key;
  if (*kty == kCoseKtyEc2 && *alg == static_cast<std::int64_t>(CoseAlgorithm::kEs256)) {
    if (crv != kCoseCrvP256) return Malformed("COSE key: ES256 needs the P-256 curve (crv 1)");
    if (y_item != nullptr && !cbor_isa_bytestring(y_item)) {
      return Malformed("COSE key: y must be a byte string (no point compression)");
    }
    if (x.size() != kCoordinateBytes || y.size() != kCoordinateBytes) {
      return Malformed("COSE key: P-256 coordinates must be 32 bytes each");
    }
    key.algorithm = CoseAlgorithm::kEs256;
    key.y = std::string(y);
  } else if (*kty == kCoseKtyOkp && *alg == static_cast<std::int64_t>(CoseAlgorithm::kEdDsa)) {
    if (crv != kCoseCrvEd25519) return Malformed("COSE key: EdDSA needs Ed25519 (crv 6)");
    if (x.size() != kCoordinateBytes) {
      return Malformed("COSE key: an Ed25519 key must be 32 bytes");
    }
    if (y_item != nullptr) return Malformed("COSE key: an Ed25519 key has no y");
    key.algorithm = CoseAlgorithm::kEdDsa;
  } else {
    return Malformed(fmt::format(
        "COSE key: unsupported key type {} with algorithm {}; camguard accepts ES256 (-7) and "
        "EdDSA (-8)",
        *kty, *alg));
  }
  key.x = std::string(x);
  if (!ToOpensslKey(key)) return Malformed("COSE key: not a valid public key");
  return key;
}

// ---------------------------------------------------------------------------------------------
// clientDataJSON: a small strict JSON reader for one object. Only type, challenge, origin,
// crossOrigin and topOrigin are kept; other members (tokenBinding, Chromium's
// "other_keys_can_be_added_here") are checked for syntax and skipped.

class ClientDataReader {
 public:
  explicit ClientDataReader(std::string_view text) : text_(text) {}

  Result<ClientData> Read() {
    ClientData data;
    bool has_type = false;
    bool has_challenge = false;
    bool has_origin = false;
    std::set<std::string> seen;
    SkipWhitespace();
    if (!Consume('{')) return Error("expected an object");
    SkipWhitespace();
    if (!Consume('}')) {
      for (;;) {
        SkipWhitespace();
        CAMGUARD_TRY(std::string name, String());
        if (!seen.insert(name).second) return Error("duplicate member \"" + name + "\"");
        SkipWhitespace();
        if (!Consume(':')) return Error("expected ':'");
        SkipWhitespace();
        if (name == "type" || name == "challenge" || name == "origin" || name == "topOrigin") {
          if (AtEnd() || Peek() != '"') return Error(name + " must be a string");
          CAMGUARD_TRY(std::string value, String());
          if (name == "type") {
            data.type = std::move(value);
            has_type = true;
          } else if (name == "challenge") {
            data.challenge = std::move(value);
            has_challenge = true;
          } else if (name == "origin") {
            data.origin = std::move(value);
            has_origin = true;
          } else {
            data.top_origin = std::move(value);
          }
        } else if (name == "crossOrigin") {
          if (ConsumeWord("true")) {
            data.cross_origin = true;
          } else if (!ConsumeWord("false")) {
            return Error("crossOrigin must be true or false");
          }
        } else {
          CAMGUARD_TRY_STATUS(SkipValue(1));
        }
        SkipWhitespace();
        if (Consume('}')) break;
        if (!Consume(',')) return Error("expected ',' or '}'");
      }
    }
    SkipWhitespace();
    if (!AtEnd()) return Error("trailing bytes after the object");
    if (!has_type || !has_challenge || !has_origin) {
      return Error("type, challenge and origin are required");
    }
    return data;
  }

 private:
  static constexpr int kMaxDepth = 16;

  bool AtEnd() const { return position_ >= text_.size(); }
  char Peek() const { return text_[position_]; }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++position_;
    return true;
  }
  bool ConsumeWord(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  void SkipWhitespace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++position_;
    }
  }
  tl::unexpected<base::Error> Error(std::string_view what) const {
    return Malformed(fmt::format("clientDataJSON: {} at byte {}", what, position_));
  }

  Result<std::uint32_t> Hex4() {
    if (text_.size() - position_ < 4) return Error("truncated \\u escape");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[position_++];
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return Error("bad \\u escape");
      }
      value = (value << 4) | digit;
    }
    return value;
  }

  static void AppendUtf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
      out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      out += static_cast<char>(0xc0 | (code_point >> 6));
      out += static_cast<char>(0x80 | (code_point & 0x3f));
    } else if (code_point < 0x10000) {
      out += static_cast<char>(0xe0 | (code_point >> 12));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code_point & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (code_point >> 18));
      out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code_point & 0x3f));
    }
  }

  // The input is valid UTF-8 (checked before reading), so raw bytes are copied as they are.
  Result<std::string> String() {
    if (!Consume('"')) return Error("expected a string");
    std::string out;
    for (;;) {
      if (AtEnd()) return Error("unterminated string");
      const char c = text_[position_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (AtEnd()) return Error("unterminated escape");
      const char escape = text_[position_++];
      switch (escape) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          CAMGUARD_TRY(std::uint32_t code_point, Hex4());
          if (code_point >= 0xdc00 && code_point <= 0xdfff) return Error("lone low surrogate");
          if (code_point >= 0xd800 && code_point <= 0xdbff) {
            if (!ConsumeWord("\\u")) return Error("lone high surrogate");
            CAMGUARD_TRY(const std::uint32_t low, Hex4());
            if (low < 0xdc00 || low > 0xdfff) return Error("lone high surrogate");
            code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(out, code_point);
          break;
        }
        default: return Error("bad escape");
      }
    }
  }

  bool ConsumeDigits() {
    const std::size_t start = position_;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++position_;
    return position_ > start;
  }

  // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  Status Number() {
    Consume('-');
    if (Consume('0')) {
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') return Error("leading zero");
    } else if (!ConsumeDigits()) {
      return Error("bad number");
    }
    if (Consume('.') && !ConsumeDigits()) return Error("bad number");
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!ConsumeDigits()) return Error("bad number");
    }
    return base::Ok();
  }

  Status SkipValue(int depth) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    if (AtEnd()) return Error("expected a value");
    const char c = Peek();
    if (c == '"') return String().map([](const std::string&) {});
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++position_;
      SkipWhitespace();
      if (Consume(close)) return base::Ok();
      for (;;) {
        SkipWhitespace();
        if (c == '{') {
          CAMGUARD_TRY_STATUS(String().map([](const std::string&) {}));
          SkipWhitespace();
          if (!Consume(':')) return Error("expected ':'");
          SkipWhitespace();
        }
        CAMGUARD_TRY_STATUS(SkipValue(depth + 1));
        SkipWhitespace();
        if (Consume(close)) return base::Ok();
        if (!Consume(',')) return Error("expected ',' or a closing bracket");
      }
    }
    if (ConsumeWord("true") || ConsumeWord("false") || ConsumeWord("null")) return base::Ok();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    return Error("unexpected character");
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The hub's own expectations

bool IsRpIdSyntax(std::string_view rp_id) {
  if (rp_id.empty() || rp_id.size() > 253) return false;
  bool all_numeric = true;
  for (std::string_view label : base::Split(rp_id, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool digit = c >= '0' && c <= '9';
      if (!digit && !(c >= 'a' && c <= 'z') && c != '-') return false;
      if (!digit) all_numeric = false;
    }
  }
  return !all_numeric;  // "192.168.1.2" is an address, and WebAuthn refuses addresses
}

// The host of "https://host[:port]", or nullopt when the origin is not of that form (or
// "http://localhost[:port]").
std::optional<std::string_view> OriginHost(std::string_view origin) {
  constexpr std::string_view kHttps = "https://";
  constexpr std::string_view kHttp = "http://";
  bool secure = true;
  if (origin.starts_with(kHttps)) {
    origin.remove_prefix(kHttps.size());
  } else if (origin.starts_with(kHttp)) {
    origin.remove_prefix(kHttp.size());
    secure = false;
  } else {
    return std::nullopt;
  }
  std::string_view host = origin;
  if (const std::size_t colon = origin.find(':'); colon != std::string_view::npos) {
    host = origin.substr(0, colon);
    const std::string_view port = origin.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.front() == '0') return std::nullopt;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    if (std::stoi(std::string(port)) > 65535) return std::nullopt;
  }
  if (!IsRpIdSyntax(host)) return std::nullopt;
  if (!secure && host != "localhost" && !host.ends_with(".localhost")) return std::nullopt;
  return host;
}

Status CheckExpectations(std::string_view origin, std::string_view rp_id,
                         std::string_view challenge) {
  if (!IsRpIdSyntax(rp_id)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("WebAuthn needs a lower-case host name as RP ID, not \"{}\"; an IP "
                            "address cannot be one",
                            rp_id));
  }
  const std::optional<std::string_view> host = OriginHost(origin);
  if (!host) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("WebAuthn needs an origin https://host[:port], not \"{}\"", origin));
  }
  if (*host != rp_id && !host->ends_with(fmt::format(".{}", rp_id))) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("the origin {} is not within the RP ID {}", origin, rp_id));
  }
  if (challenge.size() < kMinChallengeBytes) {
    return Fail(ErrorCode::kFailedPrecondition, "the expected challenge is too short");
  }
  return base::Ok();
}

// §7.1 steps 7-10 / §7.2 steps 11-14.
Result<ClientData> CheckClientData(std::string_view json, std::string_view expected_type,
                                   std::string_view expected_challenge,
                                   std::string_view expected_origin) {
  CAMGUARD_TRY(ClientData data, ParseClientDataJson(json));
  if (data.type != expected_type) {
    return Refused(fmt::format("clientDataJSON type is not {}", expected_type));
  }
  // Comparing the encodings refuses every other spelling of the same bytes (padding,
  // non-zero trailing bits), and takes the same time however much of it matches.
  if (!crypto::ConstantTimeEqual(data.challenge, base::Base64UrlEncode(expected_challenge))) {
    return Refused("the challenge does not match");
  }
  if (data.origin != expected_origin) return Refused("the origin does not match");
  if (data.cross_origin || data.top_origin) {
    return Refused("cross-origin ceremonies (in a frame of another site) are not accepted");
  }
  return data;
}

// §7.1 steps 13-15 / §7.2 steps 15-17.
Status CheckRpAndFlags(const AuthenticatorData& data, std::string_view rp_id,
                       bool require_user_verification) {
  if (!crypto::ConstantTimeEqual(data.rp_id_hash, crypto::Sha256(rp_id))) {
    return Refused("the authenticator data is for another RP ID");
  }
  if (!data.flags.user_present) return Refused("the user was not present (UP flag not set)");
  if (require_user_verification && !data.flags.user_verified) {
    return Refused("the user was not verified (UV flag not set)");
  }
  return base::Ok();
}

}  // namespace

Result<ClientData> ParseClientDataJson(std::string_view json) {
  if (json.size() > kMaxClientDataJsonBytes) return Malformed("clientDataJSON is too large");
  if (!base::IsValidUtf8(json)) return Malformed("clientDataJSON is not UTF-8");
  return ClientDataReader(json).Read();
}

Result<CredentialPublicKey> ParseCoseKey(std::string_view cose) {
  if (cose.size() > kMaxAuthenticatorDataBytes) return Malformed("COSE key is too large");
  CAMGUARD_TRY(const CborItem item, LoadExactlyOneItem(cose, "COSE key"));
  return CoseKeyFromItem(item.get());
}

Result<AttestationObject> ParseAttestationObject(std::string_view cbor) {
  if (cbor.size() > kMaxAttestationObjectBytes) {
    return Malformed("attestationObject is too large");
  }
  CAMGUARD_TRY(const CborItem root, LoadExactlyOneItem(cbor, "attestationObject"));
  AttestationObject object;
  bool has_format = false;
  bool has_statement = false;
  bool has_authenticator_data = false;
  CAMGUARD_TRY_STATUS(ForEachMapEntry(
      root.get(), "attestationObject",
      [&](const cbor_item_t* key, const cbor_item_t* value) -> Status {
        const std::optional<std::string_view> name = CborTextString(key);
        if (name == "fmt") {
          const std::optional<std::string_view> format = CborTextString(value);
          if (!format) return Malformed("attestationObject: fmt must be text");
          object.format = std::string(*format);
          has_format = true;
        } else if (name == "authData") {
          const std::optional<std::string_view> bytes = CborByteString(value);
          if (!bytes) return Malformed("attestationObject: authData must be a byte string");
          object.authenticator_data = std::string(*bytes);
          has_authenticator_data = true;
        } else if (name == "attStmt") {
          has_statement = true;
          return ForEachMapEntry(
              value, "attStmt", [&](const cbor_item_t* field, const cbor_item_t* content) {
                object.statement_empty = false;
                const std::optional<std::string_view> field_name = CborTextString(field);
                if (field_name == "alg") {
                  object.statement_alg = CborInteger(content);
                  if (!object.statement_alg) return Status(Malformed("attStmt: alg"));
                } else if (field_name == "sig") {
                  const std::optional<std::string_view> sig = CborByteString(content);
                  if (!sig) return Status(Malformed("attStmt: sig must be a byte string"));
                  object.statement_signature = std::string(*sig);
                } else if (field_name == "x5c") {
                  object.statement_has_certificates = true;
                }
                return base::Ok();
              });
        }
        return base::Ok();  // later revisions may add members; none changes the meaning
      }));
  if (!has_format || !has_statement || !has_authenticator_data) {
    return Malformed("attestationObject: fmt, attStmt and authData are required");
  }
  return object;
}

Result<AuthenticatorData> ParseAuthenticatorData(std::string_view bytes) {
  if (bytes.size() > kMaxAuthenticatorDataBytes) {
    return Malformed("authenticator data is too large");
  }
  if (bytes.size() < kAuthenticatorDataHeaderBytes) {
    return Malformed("authenticator data is shorter than 37 bytes");
  }
  AuthenticatorData data;
  data.rp_id_hash = std::string(bytes.substr(0, kRpIdHashBytes));
  const std::uint8_t flags = ByteAt(bytes, kRpIdHashBytes);
  data.flags.raw = flags;
  data.flags.user_present = (flags & kFlagUserPresent) != 0;
  data.flags.user_verified = (flags & kFlagUserVerified) != 0;
  data.flags.backup_eligible = (flags & kFlagBackupEligible) != 0;
  data.flags.backed_up = (flags & kFlagBackedUp) != 0;
  data.flags.attested_credential_data = (flags & kFlagAttestedCredentialData) != 0;
  data.flags.extension_data = (flags & kFlagExtensionData) != 0;
  if (data.flags.backed_up && !data.flags.backup_eligible) {
    return Malformed("authenticator data: backed up (BS) but not backup eligible (BE)");
  }
  for (std::size_t i = 0; i < 4; ++i) {
    data.sign_count = (data.sign_count << 8) | ByteAt(bytes, kRpIdHashBytes + 1 + i);
  }
  std::size_t position = kAuthenticatorDataHeaderBytes;

  if (data.flags.attested_credential_data) {
    if (bytes.size() - position < kAaguidBytes + 2) {
      return Malformed("authenticator data: truncated attested credential data");
    }
    AttestedCredential credential;
    credential.aaguid = std::string(bytes.substr(position, kAaguidBytes));
    position += kAaguidBytes;
    const std::size_t id_length =
        (std::size_t{ByteAt(bytes, position)} << 8) | ByteAt(bytes, position + 1);
    position += 2;
    if (id_length < kMinCredentialIdBytes || id_length > kMaxCredentialIdBytes) {
      return Malformed(fmt::format("credential id of {} bytes (accepted: {} to {})", id_length,
                                   kMinCredentialIdBytes, kMaxCredentialIdBytes));
    }
    if (bytes.size() - position < id_length) {
      return Malformed("authenticator data: truncated credential id");
    }
    credential.credential_id = std::string(bytes.substr(position, id_length));
    position += id_length;
    CAMGUARD_TRY(const LoadedCbor key, LoadFirstItem(bytes.substr(position)));
    credential.public_key_cose = std::string(bytes.substr(position, key.length));
    CAMGUARD_TRY(credential.public_key, CoseKeyFromItem(key.item.get()));
    position += key.length;
    data.attested = std::move(credential);
  }

  if (data.flags.extension_data) {
    CAMGUARD_TRY(const LoadedCbor extensions, LoadFirstItem(bytes.substr(position)));
    CAMGUARD_TRY_STATUS(
        ForEachMapEntry(extensions.item.get(), "extensions",
                        [](const cbor_item_t*, const cbor_item_t*) { return base::Ok(); }));
    data.extensions_cbor = std::string(bytes.substr(position, extensions.length));
    position += extensions.length;
  }

  if (position != bytes.size()) return Malformed("authenticator data: trailing bytes");
  return data;
}

std::string NewChallenge() { return crypto::RandomBytes(kChallengeBytes); }

Result<RegisteredCredential> VerifyRegistration(const RegistrationInput& input) {
  CAMGUARD_TRY_STATUS(
      CheckExpectations(input.expected_origin, input.rp_id, input.expected_challenge));
  CAMGUARD_TRY_STATUS(CheckClientData(input.client_data_json, kCreateType, input.expected_challenge,
                                      input.expected_origin));
  CAMGUARD_TRY(const AttestationObject attestation,
               ParseAttestationObject(input.attestation_object));
  CAMGUARD_TRY(AuthenticatorData data, ParseAuthenticatorData(attestation.authenticator_data));
  CAMGUARD_TRY_STATUS(CheckRpAndFlags(data, input.rp_id, input.require_user_verification));
  if (!data.attested) {
    return Malformed("registration without attested credential data (AT flag not set)");
  }
  AttestedCredential& credential = *data.attested;

  // §8.7 "none": nothing to check, and nothing may be claimed. §8.2 "packed" without x5c is
  // self-attestation: the new credential's key signs authData ‖ SHA-256(clientDataJSON), which
  // proves possession of the key and costs one signature check.
  if (attestation.format == "none") {
    if (!attestation.statement_empty) {
      return Malformed("attestation \"none\" must have an empty statement");
    }
  } else if (attestation.format == "packed") {
    if (attestation.statement_has_certificates) {
      return Malformed(
          "packed attestation with a certificate chain is not supported; request attestation "
          "\"none\"");
    }
    if (attestation.statement_alg != static_cast<std::int64_t>(credential.public_key.algorithm)) {
      return Malformed("packed self-attestation: alg differs from the credential's algorithm");
    }
    const std::string signed_bytes =
        attestation.authenticator_data + crypto::Sha256(input.client_data_json);
    if (!SignatureVerifies(credential.public_key, signed_bytes, attestation.statement_signature)) {
      return Refused("packed self-attestation: the signature does not verify");
    }
  } else {
    return Malformed(
        fmt::format("attestation format \"{}\" is not supported; request attestation \"none\"",
                    attestation.format.substr(0, 32)));
  }

  RegisteredCredential out;
  out.credential_id = std::move(credential.credential_id);
  out.public_key_cose = std::move(credential.public_key_cose);
  out.algorithm = credential.public_key.algorithm;
  out.sign_count = data.sign_count;
  out.aaguid = std::move(credential.aaguid);
  out.flags = data.flags;
  out.attestation_format = attestation.format;
  return out;
}

Result<AssertionResult> VerifyAssertion(const AssertionInput& input) {
  CAMGUARD_TRY_STATUS(
      CheckExpectations(input.expected_origin, input.rp_id, input.expected_challenge));
  CAMGUARD_TRY_STATUS(CheckClientData(input.client_data_json, kGetType, input.expected_challenge,
                                      input.expected_origin));
  CAMGUARD_TRY(const AuthenticatorData data, ParseAuthenticatorData(input.authenticator_data));
  if (data.attested) {
    return Malformed("an assertion carries no attested credential data (AT flag set)");
  }
  CAMGUARD_TRY_STATUS(CheckRpAndFlags(data, input.rp_id, input.require_user_verification));
  const auto key = ParseCoseKey(input.public_key_cose);
  if (!key) {
    return Fail(ErrorCode::kDataLoss,
                fmt::format("the stored credential key is unusable: {}", key.error().message));
  }
  // §7.2 step 20: the signature covers authData ‖ SHA-256(clientDataJSON).
  const std::string signed_bytes =
      input.authenticator_data + crypto::Sha256(input.client_data_json);
  if (!SignatureVerifies(*key, signed_bytes, input.signature)) {
    return Refused("the signature does not verify");
  }
  // §7.2 step 21: once either side has counted, the count must grow; an authenticator that
  // does not count (synced passkeys) always sends 0 and is left alone.
  if ((data.sign_count != 0 || input.stored_sign_count != 0) &&
      data.sign_count <= input.stored_sign_count) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("signature counter went from {} to {}: the authenticator may have "
                            "been cloned",
                            input.stored_sign_count, data.sign_count));
  }
  return AssertionResult{data.sign_count, data.flags};
}

}  // namespace camguard::auth
