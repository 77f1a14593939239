#include "cli/instance_waiter.h"

#include <algorithm>
#include <map>
#include <thread>

#include "cli/exit_codes.h"

namespace strato::cli {
namespace {

constexpr size_t kMaxNamedStragglers = 3;
constexpr char kSpinner[] = {'|', '/', '-', '\\'};

bool IsGoingAway(const std::string& state) {
  return state == "shutting-down" || state == "terminated";
}

std::string Describe(const Json& instance) {
  std::string text = StringField(instance, "id") + " is " + StringField(instance, "state");
  const std::string reason = StringField(instance, "state_reason");
  if (!reason.empty()) text += " (" + reason + ")";
  return text;
}

}  // namespace

std::chrono::steady_clock::time_point SystemClock::Now() {
  return std::chrono::steady_clock::now();
}

void SystemClock::Sleep(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

InstanceWaiter::InstanceWaiter(ApiClient& api, Clock& clock, WaitSettings settings,
                               std::ostream& progress)
    : api_(api), clock_(clock), settings_(settings), progress_(progress) {}

Result<std::vector<Json>> InstanceWaiter::WaitFor(const std::vector<std::string>& ids,
                                                  const std::string& target) {
  const auto start = clock_.Now();
  const auto deadline = start + settings_.timeout;
  std::vector<Json> latest(ids.size());
  std::vector<bool> done(ids.size(), false);
  for (;;) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (done[i]) continue;
      Result<Json> instance = api_.Get("/v1/instances/" + ApiClient::Segment(ids[i]));
      if (!instance.ok()) {
        if (target == "terminated" && instance.status().http_status() == 404) {
          latest[i] = Json{{"id", ids[i]}, {"state", "terminated"}};
          done[i] = true;
          continue;
        }
        ClearProgress();
        return instance.status();
      }
      latest[i] = std::move(*instance);
      const std::string state = StringField(latest[i], "state");
      if (state == target) {
        done[i] = true;
      } else if (target != "terminated" && IsGoingAway(state)) {
        ClearProgress();
        return Status(409, "InstanceTerminated",
                      Describe(latest[i]) + " while waiting for it to be " + target);
      }
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) {
      ClearProgress();
      return latest;
    }
    const auto now = clock_.Now();
    if (now >= deadline) {
      ClearProgress();
      return TimedOut(ids, latest, done, target);
    }
    ShowProgress(latest, done, target, now - start);
    clock_.Sleep(std::min(settings_.poll_interval,
                          std::chrono::ceil<std::chrono::milliseconds>(deadline - now)));
  }
}

void InstanceWaiter::ShowProgress(const std::vector<Json>& latest, const std::vector<bool>& done,
                                  const std::string& target,
                                  std::chrono::steady_clock::duration elapsed) {
  if (!settings_.show_progress) return;
  const size_t reached = static_cast<size_t>(std::count(done.begin(), done.end(), true));
  std::string line =
      std::string(1, kSpinner[spinner_++ % sizeof(kSpinner)]) + " waiting for " + target + " [" +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count()) + "s]: ";
  if (latest.size() == 1) {
    line += StringField(latest[0], "id") + " " + StringField(latest[0], "state");
  } else {
    std::map<std::string, size_t> by_state;
    for (size_t i = 0; i < latest.size(); ++i) {
      if (!done[i]) ++by_state[StringField(latest[i], "state")];
    }
    line += std::to_string(reached) + "/" + std::to_string(latest.size()) + " " + target;
    for (const auto& [state, count] : by_state) line += ", " + std::to_string(count) + " " + state;
  }
  progress_ << "\r" << line << "\x1b[K" << std::flush;
  progress_shown_ = true;
}

void InstanceWaiter::ClearProgress() {
  if (!progress_shown_) return;
  progress_ << "\r\x1b[K" << std::flush;
  progress_shown_ = false;
}

Status InstanceWaiter::TimedOut(const std::vector<std::string>& ids,
                                const std::vector<Json>& latest, const std::vector<bool>& done,
                                const std::string& target) const {
  std::string stragglers;
  size_t named = 0;
  size_t missing = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (done[i]) continue;
    ++missing;
    if (named++ < kMaxNamedStragglers) {
      stragglers += (stragglers.empty() ? "" : "; ") + Describe(latest[i]);
    }
  }
  if (missing > kMaxNamedStragglers) {
    stragglers += "; and " + std::to_string(missing - kMaxNamedStragglers) + " more";
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout).count();
  return WaitTimeout("timed out after " + std::to_string(seconds) + "s waiting for " + target +
                     ": " + stragglers);
}

}  // namespace strato::cli
