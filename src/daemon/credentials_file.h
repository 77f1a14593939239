#pragma once
// The admin credentials file: an AWS-style INI profile ([default]) with the access key,
// secret, region and endpoint, written atomically with mode 0600.

#include <string>

#include "common/status.h"

namespace strato {

Status WriteCredentialsFile(const std::string& path, const std::string& access_key_id,
                            const std::string& secret, const std::string& region,
                            const std::string& endpoint);

}  // namespace strato
