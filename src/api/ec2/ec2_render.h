#pragma once
// EC2 XML renderings of the resource model, shared by the action files.
// Thread-safety: pure functions.

#include <map>
#include <string>
#include <string_view>

#include "api/ec2/xml_writer.h"
#include "core/model.h"

namespace strato::api::ec2 {

// EC2's instance-state codes: 0 pending, 16 running, 32 shutting-down, 48 terminated,
// 64 stopping, 80 stopped.
int Ec2StateCode(InstanceState s);
// <tag><code>16</code><name>running</name></tag>
void WriteState(XmlWriter& x, std::string_view tag, InstanceState s);
// Instances launched by one RunInstances call share a reservation: they carry the same
// tenant and launch time, from which the id is derived ("r-" + 17 hex).
std::string ReservationId(const Instance& i);
// <item> of an instancesSet, as DescribeInstances and RunInstances return it.
void WriteInstance(XmlWriter& x, const Instance& i);
// privateIpAddress, subnetId, vpcId and the networkInterfaceSet of an instance's NICs.
void WriteNetworkInterfaces(XmlWriter& x, const Instance& i);
// <groupSet> of the instance's security groups (groupId, groupName).
void WriteGroupSet(XmlWriter& x, const Instance& i);
// <blockDeviceMapping> of the instance's attached EBS volumes, root first.
void WriteBlockDeviceMapping(XmlWriter& x, const Instance& i);
// <tagSet> with one <item><key/><value/></item> per tag (nothing when there are none).
void WriteTagSet(XmlWriter& x, const std::map<std::string, std::string>& tags);
std::string Ec2Time(TimeMs ms);
std::string Base64(std::string_view bytes);

}  // namespace strato::api::ec2
