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
// Whether every attachment's blob exists (volumes mapped at launch are created with their
// instance).
Result<bool> AttachmentsReady(ReadTxn& t, const std::vector<VolumeAttachment>& attachments);

}  // namespace strato
