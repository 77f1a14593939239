// strato_bench_checksum: throughput of the S3 additional checksums as the upload path
// computes them (1 MiB pieces, as bodies stream), next to MD5 — which every upload pays for
// its ETag — and a plain memcpy of the same bytes. Tells what declaring a checksum adds to
// a PUT. Prints one line per algorithm; exits 0 (a measurement, not a test).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/checksum.h"
#include "common/digest.h"

namespace {

constexpr size_t kPiece = 1 << 20;

template <typename F>
double MibPerSecond(size_t total, F run) {
  auto start = std::chrono::steady_clock::now();
  run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(total) / (1 << 20) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::stoul(argv[1]) : 512;
  std::string piece(kPiece, '\0');
  for (size_t i = 0; i < piece.size(); ++i) piece[i] = static_cast<char>(i * 2654435761u >> 13);
  const size_t total = mib * kPiece;
  std::printf("checksum throughput over %zu MiB in 1 MiB pieces\n", mib);

  std::vector<char> sink(kPiece);
  double copy = MibPerSecond(total, [&] {
    for (size_t i = 0; i < mib; ++i) std::memcpy(sink.data(), piece.data(), kPiece);
  });
  std::printf("%-8s %9.0f MiB/s\n", "memcpy", copy);
  double md5 = MibPerSecond(total, [&] {
    auto h = strato::Hasher::Md5();
    for (size_t i = 0; i < mib; ++i) h.Update(piece);
    (void)h.FinishHex();
  });
  std::printf("%-8s %9.0f MiB/s  (every upload: the ETag)\n", "MD5", md5);
  for (auto a : {strato::ChecksumAlgorithm::kCrc32, strato::ChecksumAlgorithm::kCrc32c,
                 strato::ChecksumAlgorithm::kSha1, strato::ChecksumAlgorithm::kSha256}) {
    double rate = MibPerSecond(total, [&] {
      strato::ChecksumHasher h(a);
      for (size_t i = 0; i < mib; ++i) h.Update(piece);
      (void)h.FinishBase64();
    });
    std::printf("%-8s %9.0f MiB/s  (MD5 + this: %.0f MiB/s)\n", strato::ToString(a), rate,
                1.0 / (1.0 / md5 + 1.0 / rate));
  }
  return 0;
}
