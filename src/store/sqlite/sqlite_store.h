#pragma once
// SqliteStore: the embedded default Store. One file in WAL mode.
//
// Writes: a single writer thread owns the write connection and group-commits — it takes
// every queued write, runs each in its own SAVEPOINT inside one transaction, commits
// once (synchronous=FULL, so the WAL is fsync'd before any caller is answered), then
// answers every caller. Many small commands thus share one fsync.
// Reads: a pool of read connections; WAL lets them run beside the writer.
// Thread-safety: all public methods are thread-safe.

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace strato::sqlite {

struct SqliteStoreOptions {
  std::string path;
  size_t max_batch = 512;  // writes per group commit
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database.
  static Result<std::unique_ptr<SqliteStore>> Open(SqliteStoreOptions options);
  ~SqliteStore() override;

  Status Write(const std::function<Status(WriteTxn&)>& fn) override;
  Status Read(const std::function<Status(ReadTxn&)>& fn) override;
  void Close() override;

  // Observer of each commit's duration in seconds (store transaction latency metric).
  void SetCommitObserver(std::function<void(double seconds, size_t batch)> observer);

 private:
  struct Job {
    const std::function<Status(WriteTxn&)>* fn;
    std::promise<Status> done;
  };

  explicit SqliteStore(SqliteStoreOptions options, std::unique_ptr<Connection> writer);
  void WriterLoop();
  void CommitBatch(std::vector<Job>& batch);
  Result<std::unique_ptr<Connection>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> c);

  const SqliteStoreOptions options_;
  std::unique_ptr<Connection> writer_;  // owned by writer_thread_

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;   // GUARDED_BY(mu_)
  bool closing_ = false;    // GUARDED_BY(mu_)
  std::function<void(double, size_t)> commit_observer_;  // set before traffic

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;  // GUARDED_BY(readers_mu_)

  std::thread writer_thread_;
};

}  // namespace strato::sqlite
