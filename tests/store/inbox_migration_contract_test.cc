// The webhook inbox's bodies in a table of their own (migrations/*/0034_inbox_bodies.sql):
// every delivery an older worklog stored survives the upgrade as it was, pending ones are
// still normalized, and ids go on from where they were.
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "migrate_to.h"
#include "store/codec.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;

// Bytes a JSON text may hold that SQL quoting or a text column could mangle.
const std::string kBody =
    "{\"message\":\"PROJ-7 Gr\xc3\xbc\xc3\x9f"
    "e 'quoted' \\\\ \\n\"}";
const std::string kOtherBody = std::string("{\"a\":\"b\"}") + std::string(4000, ' ');

std::string Hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  }
  return out;
}

class InboxMigration : public StoreTest {
 protected:
  InboxMigration() { migrate_in_setup_ = false; }

  // One row as the 0003 layout stored it, body included.
  std::string OldRow(std::string_view delivery_id, std::string_view body, std::string_view status,
                     int64_t attempts, std::string_view claimed_by, TimePoint lease_until,
                     std::string_view last_error) const {
    const bool sqlite = GetParam() == Backend::kSqlite;
    return fmt::format(
        "INSERT INTO webhook_inbox (delivery_id, event_name, body, received_at_us, status, "
        "attempts, claimed_by, lease_until_us, processed_at_us, last_error) VALUES ('{}', "
        "'Push Hook', {}, {}, '{}', {}, {}, {}, {}, '{}');\n",
        delivery_id,
        sqlite ? fmt::format("X'{}'", Hex(body)) : fmt::format("decode('{}', 'hex')", Hex(body)),
        ToMicros(clock_.Now() - hours(1)), status, attempts,
        claimed_by.empty() ? "NULL" : fmt::format("'{}'", claimed_by),
        lease_until == TimePoint{} ? 0 : ToMicros(lease_until),
        status == "pending" ? "NULL" : std::to_string(ToMicros(clock_.Now() - minutes(30))),
        last_error);
  }
};
WORKLOG_STORE_BACKENDS(InboxMigration);

TEST_P(InboxMigration, DeliveriesStoredBeforeTheUpgradeAreKeptAndPendingOnesStillClaimed) {
  std::string rows;
  rows += OldRow("uuid:pending", kBody, "pending", 0, "", {}, "");
  // Claimed by a node that died: its lease has run out.
  rows += OldRow("uuid:orphaned", kOtherBody, "pending", 1, "dead-node", clock_.Now() - minutes(1),
                 "database is locked");
  // Claimed by a node that is still at it.
  rows += OldRow("uuid:leased", kBody, "pending", 1, "live-node", clock_.Now() + minutes(10), "");
  rows += OldRow("uuid:done", kBody, "done", 1, "live-node", clock_.Now() - minutes(30), "");
  rows += OldRow("uuid:failed", kBody, "failed", 1, "live-node", clock_.Now() - minutes(30),
                 "body is not valid JSON");
  // The newest id ever given out belonged to a delivery that is gone.
  rows += OldRow("uuid:gone", kBody, "done", 1, "live-node", clock_.Now() - minutes(30), "");
  rows += "DELETE FROM webhook_inbox WHERE delivery_id = 'uuid:gone';\n";
  MigrateBeforeThen(GetParam(), url_, 34, rows);

  auto migrated = store().Migrate();
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(store().Inbox().CountPending().value(), 3);

  auto claimed = store().Inbox().ClaimPending(10, "new-node", clock_.Now() + minutes(5));
  ASSERT_TRUE(claimed) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 2U);
  const InboxDelivery& pending = claimed->at(0);
  const InboxDelivery& orphaned = claimed->at(1);
  EXPECT_EQ(pending.delivery_id, "uuid:pending");
  EXPECT_EQ(pending.event_name, "Push Hook");
  EXPECT_EQ(pending.body, kBody);
  EXPECT_EQ(pending.received_at, clock_.Now() - hours(1));
  EXPECT_EQ(pending.attempts, 1);
  EXPECT_EQ(orphaned.delivery_id, "uuid:orphaned");
  EXPECT_EQ(orphaned.body, kOtherBody);
  EXPECT_EQ(orphaned.attempts, 2);
  EXPECT_EQ(orphaned.last_error, "database is locked");
  EXPECT_LT(pending.id, orphaned.id);

  // Done and failed ones stay so; a redelivery of any of them is a duplicate.
  for (const char* id : {"uuid:pending", "uuid:leased", "uuid:done", "uuid:failed"}) {
    EXPECT_EQ(store().Inbox().Insert(id, "Push Hook", "{}", clock_.Now()).value(),
              InboxInsertResult::kDuplicate)
        << id;
  }
  ASSERT_TRUE(store().Inbox().MarkAllDone({pending.id, orphaned.id}));
  EXPECT_EQ(store().Inbox().GetStatus(pending.id).value(), InboxStatus::kDone);
  EXPECT_EQ(store().Inbox().GetStatus(orphaned.id).value(), InboxStatus::kDone);

  // A delivery stored now gets an id never given out before, and its body back.
  ASSERT_EQ(store().Inbox().Insert("uuid:new", "Push Hook", kOtherBody, clock_.Now()).value(),
            InboxInsertResult::kStored);
  clock_.Advance(minutes(11));  // the live node's lease runs out too
  auto later = store().Inbox().ClaimPending(10, "new-node", clock_.Now() + minutes(5));
  ASSERT_TRUE(later) << later.error().message;
  ASSERT_EQ(later->size(), 2U);
  EXPECT_EQ(later->at(0).delivery_id, "uuid:leased");
  EXPECT_EQ(later->at(0).body, kBody);
  EXPECT_EQ(later->at(1).delivery_id, "uuid:new");
  EXPECT_EQ(later->at(1).body, kOtherBody);
  EXPECT_GT(later->at(1).id, later->at(0).id + 3);  // after done, failed and gone

  // Retention removes the old done deliveries and the ones done since.
  EXPECT_EQ(store().Inbox().DeleteDoneBefore(clock_.Now(), 100).value(), 3);
  EXPECT_EQ(store().Inbox().CountPending().value(), 2);
}

}  // namespace
}  // namespace worklog::store::testing
