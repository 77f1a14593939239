#pragma once
// How a ModifyVolume is recorded and followed (core/volume_model.h's VolumeModification):
// the command records it in the transaction that changes the volume; the volume controller
// settles it when the grow it waited for is done (or given up). Pure functions.

#include "core/volume_model.h"
#include "core/volume_types.h"

namespace strato {

// What the volume delivers: its provisioned figures or its type's defaults (zeros when the
// combination is not valid, which the commands never store).
VolumeLimits DeliveredLimits(const Volume& v);

// The record of changing `before` into `after` at `now`: completed at once unless the blob
// must grow first (modifying, 0%).
VolumeModification RecordModification(const Volume& before, const Volume& after, TimeMs now);

// Brings a modifying `m` up to date with its volume: completed once the blob has the target
// size, failed (with the volume's state_reason) once the grow was given up and the size put
// back. Returns whether `m` changed.
bool SettleModification(VolumeModification& m, const Volume& v, TimeMs now);

}  // namespace strato
