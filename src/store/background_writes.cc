#include "store/background_writes.h"

namespace worklog::store {
namespace {

thread_local bool background = false;

}  // namespace

BackgroundWrites::BackgroundWrites() : was_active_(background) { background = true; }

BackgroundWrites::~BackgroundWrites() { background = was_active_; }

bool BackgroundWrites::Active() { return background; }

}  // namespace worklog::store
