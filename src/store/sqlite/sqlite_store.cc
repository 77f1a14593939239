#include "store/sqlite/sqlite_store.h"

#include <chrono>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_txn.h"

namespace strato::sqlite {
namespace {

Status Configure(Connection& db) {
  STRATO_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  // FULL: the WAL is fsync'd at every commit, so an acknowledged change survives power loss.
  STRATO_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  STRATO_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return db.Exec("PRAGMA cache_size = -65536");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(SqliteStoreOptions options) {
  STRATO_ASSIGN_OR_RETURN(auto writer, Connection::Open(options.path));
  STRATO_RETURN_IF_ERROR(Configure(*writer));
  STRATO_RETURN_IF_ERROR(Migrate(*writer));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(options), std::move(writer)));
}

SqliteStore::SqliteStore(SqliteStoreOptions options, std::unique_ptr<Connection> writer)
    : options_(std::move(options)), writer_(std::move(writer)) {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::SetCommitObserver(std::function<void(double, size_t)> observer) {
  commit_observer_ = std::move(observer);
}

Status SqliteStore::Write(const std::function<Status(WriteTxn&)>& fn) {
  std::future<Status> result;
  {
    std::lock_guard lock(mu_);
    if (closing_) return Unavailable("The store is shutting down.");
    queue_.push_back(Job{&fn, {}});
    result = queue_.back().done.get_future();
  }
  cv_.notify_one();
  return result.get();
}

void SqliteStore::WriterLoop() {
  std::vector<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty() && closing_) return;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteStore::CommitBatch(std::vector<Job>& batch) {
  auto start = std::chrono::steady_clock::now();
  std::vector<Status> results(batch.size());
  Status begin = writer_->Exec("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (auto& job : batch) job.done.set_value(begin);
    return;
  }
  SqliteTxn txn(*writer_);
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = writer_->Exec("SAVEPOINT cmd");
    if (s.ok()) {
      try {
        s = (*batch[i].fn)(txn);
      } catch (const std::exception& e) {
        s = Internal(std::string("write failed: ") + e.what());
      }
      // A failed command leaves no trace; the others in the batch are unaffected.
      if (!s.ok()) (void)writer_->Exec("ROLLBACK TO cmd");
      Status released = writer_->Exec("RELEASE cmd");
      if (s.ok()) s = released;
    }
    results[i] = s;
  }
  Status commit = writer_->Exec("COMMIT");
  if (!commit.ok()) {
    (void)writer_->Exec("ROLLBACK");
    for (auto& r : results)
      if (r.ok()) r = commit;
  }
  if (commit_observer_) {
    std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
    commit_observer_(d.count(), batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(results[i]);
}

Result<std::unique_ptr<Connection>> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  STRATO_ASSIGN_OR_RETURN(auto c, Connection::Open(options_.path));
  STRATO_RETURN_IF_ERROR(c->Exec("PRAGMA query_only = ON"));
  return c;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> c) {
  std::lock_guard lock(readers_mu_);
  readers_.push_back(std::move(c));
}

Status SqliteStore::Read(const std::function<Status(ReadTxn&)>& fn) {
  STRATO_ASSIGN_OR_RETURN(auto conn, AcquireReader());
  Status s = conn->Exec("BEGIN");
  if (s.ok()) {
    SqliteTxn txn(*conn);
    try {
      s = fn(txn);
    } catch (const std::exception& e) {
      s = Internal(std::string("read failed: ") + e.what());
    }
    (void)conn->Exec("COMMIT");
  }
  ReleaseReader(std::move(conn));
  return s;
}

void SqliteStore::Close() {
  {
    std::lock_guard lock(mu_);
    if (closing_ && !writer_thread_.joinable()) return;
    closing_ = true;
  }
  cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

}  // namespace strato::sqlite
