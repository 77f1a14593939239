#pragma once
// Work done *inside* a named network namespace (/run/netns/<name>) from a process that
// stays in the machine's namespace: each call runs on a short-lived thread that enters
// the namespace with setns(2) and checks it really did before touching anything, so no
// thread of stratod ever acts on the machine's own namespace by mistake.
// Thread-safety: every function may be called concurrently.

#include <functional>
#include <string>

#include "common/status.h"
#include "drivers/network/network_driver.h"

namespace strato {

// Runs fn on a fresh thread inside namespace `ns`. NotFound-style InternalError if the
// namespace does not exist.
Status RunInNetns(const std::string& ns, const std::function<Status()>& fn);

// Attaches to the existing tap `ifname` inside `ns` (IFF_TAP | IFF_NO_PI) and returns the
// fd; the fd keeps working from any namespace, which is how QEMU uses it.
Result<UniqueFd> OpenTapInNetns(const std::string& ns, const std::string& ifname);

// Runs an nft script inside `ns` as one atomic libnftables batch.
Status ApplyNftInNetns(const std::string& ns, const std::string& script);

// Runs an nft command inside `ns` and returns its output (e.g. "list table inet strato").
Result<std::string> NftOutputInNetns(const std::string& ns, const std::string& command);

}  // namespace strato
