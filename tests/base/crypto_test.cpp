// base/sha256.hpp and base/hmac.hpp against published test vectors (FIPS 180-2, RFC 4231, RFC 5869).
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/base/sha256.hpp"

namespace {

std::vector<unsigned char> from_hex(const std::string& hex) {
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string hex_of(const unsigned char* p, std::size_t n) {
  return tokenmaxx::base::to_hex(std::span<const std::uint8_t>(p, n));
}

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(tokenmaxx::base::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(tokenmaxx::base::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(tokenmaxx::base::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Hex, LowerCaseTwoDigitsPerByte) {
  const std::array<std::uint8_t, 4> b{0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(tokenmaxx::base::to_hex(b), "000fa0ff");
}

TEST(Hmac, Rfc4231TestCases1And2) {
  std::vector<unsigned char> key1(20, 0x0b);
  auto mac1 = tokenmaxx::base::hmac_sha256::create(key1);
  ASSERT_TRUE(mac1.ok()) << mac1.status();
  std::array<unsigned char, 32> out{};
  ASSERT_TRUE(mac1->mac("Hi There", out).ok());
  EXPECT_EQ(hex_of(out.data(), out.size()), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

  const std::string jefe = "Jefe";
  auto mac2 = tokenmaxx::base::hmac_sha256::create(
      std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(jefe.data()), jefe.size()));
  ASSERT_TRUE(mac2.ok());
  ASSERT_TRUE(mac2->mac("what do ya want for nothing?", out).ok());
  EXPECT_EQ(hex_of(out.data(), out.size()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hkdf, Rfc5869TestCase1) {
  const auto ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto salt = from_hex("000102030405060708090a0b0c");
  const auto info = from_hex("f0f1f2f3f4f5f6f7f8f9");
  std::array<unsigned char, 42> okm{};
  ASSERT_TRUE(tokenmaxx::base::hkdf_sha256(ikm, std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()),
                                           std::string_view(reinterpret_cast<const char*>(info.data()), info.size()), okm)
                  .ok());
  EXPECT_EQ(hex_of(okm.data(), okm.size()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(SecretBytes, CopiesAndWipesWithoutSharing) {
  tokenmaxx::base::secret_bytes<4> a;
  a.data()[0] = 7;
  tokenmaxx::base::secret_bytes<4> b = a;
  a.data()[0] = 9;
  EXPECT_EQ(b.data()[0], 7);
}

}  // namespace
