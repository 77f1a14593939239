#include "daemon/credentials_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace strato {

Status WriteCredentialsFile(const std::string& path, const std::string& access_key_id,
                            const std::string& secret, const std::string& region,
                            const std::string& endpoint) {
  std::string text = "# Strato cloud admin credentials (created by stratod on first start)\n"
                     "[default]\n"
                     "aws_access_key_id = " + access_key_id + "\n" +
                     "aws_secret_access_key = " + secret + "\n" +
                     "region = " + region + "\n" +
                     "endpoint_url = " + endpoint + "\n";
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Internal("cannot write " + path);
  }
  return OkStatus();
}

}  // namespace strato
