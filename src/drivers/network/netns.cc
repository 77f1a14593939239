#include "drivers/network/netns.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace strato {
namespace {

std::string Errno(const std::string& what) { return what + ": " + strerror(errno); }

// Enters the namespace whose bind mount is `path` on the calling thread and verifies it.
Status EnterNetns(const std::string& ns) {
  std::string path = "/run/netns/" + ns;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal(Errno("network namespace " + ns));
  struct stat want {};
  int rc = ::fstat(fd, &want);
  if (rc == 0) rc = ::setns(fd, CLONE_NEWNET);
  ::close(fd);
  if (rc != 0) return Internal(Errno("setns " + ns));
  struct stat now {};
  if (::stat("/proc/thread-self/ns/net", &now) != 0 || now.st_ino != want.st_ino ||
      now.st_dev != want.st_dev)
    return Internal("thread did not enter network namespace " + ns);
  return OkStatus();
}

Status RunNft(const std::string& script, std::string* output) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) return Internal("nft_ctx_new failed");
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  int rc = nft_run_cmd_from_buffer(ctx, script.c_str());
  Status s;
  if (rc != 0) {
    s = Internal("nftables rejected the batch: " + std::string(nft_ctx_get_error_buffer(ctx)));
  } else if (output != nullptr) {
    *output = nft_ctx_get_output_buffer(ctx);
  }
  nft_ctx_free(ctx);
  return s;
}

}  // namespace

Status RunInNetns(const std::string& ns, const std::function<Status()>& fn) {
  Status result;
  // A fresh thread: its namespace dies with it, whatever fn does.
  std::thread t([&] {
    Status entered = EnterNetns(ns);
    result = entered.ok() ? fn() : entered;
  });
  t.join();
  return result;
}

Result<UniqueFd> OpenTapInNetns(const std::string& ns, const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ)
    return InvalidParameter("bad tap name " + ifname);
  UniqueFd tap;
  Status s = RunInNetns(ns, [&]() -> Status {
    // TUNSETIFF would create a tap that is not there; only attach to the driver's own.
    if (::if_nametoindex(ifname.c_str()) == 0)
      return NotFound("InvalidPort.NotFound", "no tap " + ifname + " in " + ns);
    // /dev/net/tun binds to the opener's namespace at open(), so open it in here.
    int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return Internal(Errno("/dev/net/tun"));
    UniqueFd owned(fd);
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0) return Internal(Errno("TUNSETIFF " + ifname));
    tap = std::move(owned);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return tap;
}

Status ApplyNftInNetns(const std::string& ns, const std::string& script) {
  return RunInNetns(ns, [&] { return RunNft(script, nullptr); });
}

Result<std::string> NftOutputInNetns(const std::string& ns, const std::string& command) {
  std::string out;
  Status s = RunInNetns(ns, [&] { return RunNft(command, &out); });
  if (!s.ok()) return s;
  return out;
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace strato
