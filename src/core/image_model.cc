#include "core/image_model.h"

namespace strato {

const char* ToString(ImageDataState s) {
  switch (s) {
    case ImageDataState::kPending: return "pending";
    case ImageDataState::kAvailable: return "available";
    case ImageDataState::kFailed: return "failed";
  }
  return "failed";
}

std::optional<ImageDataState> ParseImageDataState(std::string_view s) {
  for (auto v : {ImageDataState::kPending, ImageDataState::kAvailable, ImageDataState::kFailed}) {
    if (s == ToString(v)) return v;
  }
  return std::nullopt;
}

}  // namespace strato
