#include "store/sqlite/sqlite_store.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "store/background_writes.h"
#include "support/temp_dir.h"

namespace worklog::store::sqlite {
namespace {

class SqliteGroupCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(dir_.File("group.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(
        store_->Write([](Connection& db) { return db.Exec("CREATE TABLE t (name TEXT)"); }));
  }

  // A write that inserts `name` and notes when it ran.
  Status Insert(const std::string& name) {
    return store_->Write([&](Connection& db) -> Status {
      {
        std::lock_guard lock(order_mutex_);
        order_.push_back(name);
      }
      return db.Exec("INSERT INTO t (name) VALUES ('" + name + "')");
    });
  }

  std::vector<std::string> Order() {
    std::lock_guard lock(order_mutex_);
    return order_;
  }

  // The one integer `sql` answers (e.g. a count, a pragma). `sql` is a literal: Prepare
  // caches statements by the address of their text.
  static Result<int64_t> Integer(Connection& db, std::string_view sql) {
    auto select = db.Prepare(sql);
    if (!select) {
      return tl::unexpected(select.error());
    }
    if (auto row = select->Step(); !row) {
      return tl::unexpected(row.error());
    }
    return select->Int(0);
  }

  Result<int64_t> Rows() {
    return store_->Read([](Connection& db) { return Integer(db, "SELECT count(*) FROM t"); });
  }

  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::mutex order_mutex_;
  std::vector<std::string> order_;
};

// The writer is busy with a worker's write while eight more queue behind it; a webhook's
// acknowledgement arriving after them is committed next, not ninth.
TEST_F(SqliteGroupCommit, AWritePeopleWaitOnGoesAheadOfQueuedBackgroundWrites) {
  std::atomic<bool> holding = false;
  std::atomic<bool> release = false;
  std::thread first([&] {
    const BackgroundWrites background;
    EXPECT_TRUE(store_->Write([&](Connection& db) -> Status {
      holding = true;
      while (!release) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::lock_guard lock(order_mutex_);
      order_.emplace_back("background 0");
      return db.Exec("INSERT INTO t (name) VALUES ('background 0')");
    }));
  });
  while (!holding) {
    std::this_thread::yield();
  }
  std::vector<std::thread> queued;
  for (int i = 1; i <= 8; ++i) {
    queued.emplace_back([&, i] {
      const BackgroundWrites background;
      EXPECT_TRUE(Insert("background " + std::to_string(i)));
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let them queue
  std::thread ack([&] { EXPECT_TRUE(Insert("acknowledgement")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release = true;
  first.join();
  ack.join();
  for (auto& thread : queued) {
    thread.join();
  }
  const auto order = Order();
  ASSERT_EQ(order.size(), 10u);
  EXPECT_EQ(order[0], "background 0");
  EXPECT_EQ(order[1], "acknowledgement");
  // Nothing was lost: every write is in the table.
  auto count = Rows();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 10);
}

// Writes people wait on keep coming, without a pause; the background writes still finish
// (they get every other group).
TEST_F(SqliteGroupCommit, BackgroundWritesAreNotStarvedByASteadyStreamOfOthers) {
  std::atomic<bool> background_done = false;
  std::atomic<int> interactive = 0;
  std::vector<std::thread> people;
  people.reserve(4);
  for (int t = 0; t < 4; ++t) {
    people.emplace_back([&, t] {
      for (int i = 0; i < 5000 && !background_done; ++i) {
        EXPECT_TRUE(Insert(fmt::format("person {} {}", t, i)));
        ++interactive;
      }
    });
  }
  std::thread worker([&] {
    const BackgroundWrites background;
    for (int i = 0; i < 50; ++i) {
      EXPECT_TRUE(Insert(fmt::format("worker {}", i)));
    }
    background_done = true;
  });
  worker.join();
  for (auto& thread : people) {
    thread.join();
  }
  EXPECT_TRUE(background_done);
  EXPECT_LT(interactive.load(), 4 * 5000) << "the worker finished only after the others stopped";
}

// WriteTogether: the writes inside are one transaction. When it fails, none is stored; a
// write that failed inside and was handled there rolls back alone.
TEST_F(SqliteGroupCommit, WritesTogetherAreStoredAllOrNone) {
  const auto names = [&]() {
    return store_->Read([](Connection& db) -> Result<std::vector<std::string>> {
      auto select = db.Prepare("SELECT name FROM t ORDER BY name");
      if (!select) {
        return tl::unexpected(select.error());
      }
      std::vector<std::string> out;
      while (true) {
        auto row = select->Step();
        if (!row) {
          return tl::unexpected(row.error());
        }
        if (!*row) {
          return out;
        }
        out.push_back(select->Text(0));
      }
    });
  };
  const Error fault{ErrorCode::kUnavailable, {}, "disk fault"};
  const auto failing = [&]() -> Status {
    return store_->Write([&](Connection& db) -> Status {
      if (auto inserted = db.Exec("INSERT INTO t (name) VALUES ('half')"); !inserted) {
        return inserted;
      }
      return tl::unexpected(fault);
    });
  };

  auto failed = store_->WriteTogether([&]() -> Status {
    if (auto first = Insert("activities"); !first) {
      return first;
    }
    return failing();  // the done marks
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "disk fault");
  EXPECT_EQ(names().value(), std::vector<std::string>{});

  ASSERT_TRUE(store_->WriteTogether([&]() -> Status {
    if (auto first = Insert("activities"); !first) {
      return first;
    }
    EXPECT_FALSE(failing());  // handled here: its own insert is undone, not the first
    return Insert("done marks");
  }));
  EXPECT_EQ(names().value(), (std::vector<std::string>{"activities", "done marks"}));
}

// A worker's claim (WriteLease) is committed and seen at once; the writes after it are
// fsynced again as every other write.
TEST_F(SqliteGroupCommit, ALeaseIsSeenAtOnceAndTheWritesAfterItAreSyncedAgain) {
  {
    const BackgroundWrites background;
    ASSERT_TRUE(store_->WriteLease(
        [](Connection& db) { return db.Exec("INSERT INTO t (name) VALUES ('claim')"); }));
  }
  EXPECT_EQ(Rows().value_or(-1), 1);
  auto synchronous =
      store_->Write([](Connection& db) { return Integer(db, "PRAGMA synchronous"); });
  ASSERT_TRUE(synchronous) << synchronous.error().message;
  EXPECT_EQ(*synchronous, 2);  // FULL
}

// A worker's normalized batch (WriteDerived) is one transaction committed without an fsync
// of its own, seen at once; a failure inside stores none of it; the writes after it are
// fsynced again.
TEST_F(SqliteGroupCommit, ADerivedWriteIsCommittedWithoutItsOwnFsyncAndAllOrNone) {
  int64_t inside = -1;
  {
    const BackgroundWrites background;
    ASSERT_TRUE(store_->WriteDerived([&]() -> Status {
      if (auto first = Insert("activities"); !first) {
        return first;
      }
      auto synchronous =
          store_->Write([](Connection& db) { return Integer(db, "PRAGMA synchronous"); });
      if (!synchronous) {
        return tl::unexpected(synchronous.error());
      }
      inside = *synchronous;
      return Insert("done marks");
    }));
    EXPECT_EQ(inside, 1);  // NORMAL: the WAL is not synced at this commit
    auto failed = store_->WriteDerived([&]() -> Status {
      if (auto first = Insert("half"); !first) {
        return first;
      }
      return tl::unexpected(Error{ErrorCode::kUnavailable, {}, "disk fault"});
    });
    ASSERT_FALSE(failed);
  }
  EXPECT_EQ(Rows().value_or(-1), 2);
  auto synchronous =
      store_->Write([](Connection& db) { return Integer(db, "PRAGMA synchronous"); });
  ASSERT_TRUE(synchronous) << synchronous.error().message;
  EXPECT_EQ(*synchronous, 2);  // FULL
}

}  // namespace
}  // namespace worklog::store::sqlite
