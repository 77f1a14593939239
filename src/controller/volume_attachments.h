#pragma once
// What a hypervisor needs to plug a volume: shared by the instance controller (volumes
// plugged at start) and the volume controller (hot-plug).

#include <vector>

#include "drivers/hypervisor/hypervisor_driver.h"
#include "store/store.h"

namespace strato {

VolumeAttachment AttachmentOf(const Volume& v);
// The volumes attached (or attaching) to an instance, in device order.
// The root device (/dev/vda) first.
Result<std::vector<VolumeAttachment>> AttachmentsOf(ReadTxn& t, const std::string& instance_id);
// Whether a starting instance's volumes can be plugged. Volumes mapped at launch are made
// with their instance: until every blob exists it waits; if one could not be made, `failed`
// says why, and the instance cannot start.
struct AttachmentsReadiness {
  bool ready = false;
  std::string failed;
};
Result<AttachmentsReadiness> CheckAttachments(ReadTxn& t,
                                              const std::vector<VolumeAttachment>& attachments);

}  // namespace strato
