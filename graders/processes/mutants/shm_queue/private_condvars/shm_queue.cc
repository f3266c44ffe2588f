// Mutant: the condition variables are not process-shared: a signal in one process wakes nobody in another.
#include "processes/shm_queue.h"

#include <errno.h>
#include <sys/mman.h>
#include <time.h>

#include <cstring>
#include <stdexcept>
#include <system_error>

namespace kata::processes {
namespace {

void check(int error, const char* what) {
  if (error != 0) throw std::system_error(error, std::generic_category(), what);
}

// `timeout` from now on CLOCK_MONOTONIC, the clock of the condition variables.
timespec deadline_after(std::chrono::milliseconds timeout) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long ns = static_cast<long long>(now.tv_nsec) +
                 static_cast<long long>(timeout.count() % 1000) * 1000000LL;
  timespec deadline{};
  deadline.tv_sec = now.tv_sec + static_cast<time_t>(timeout.count() / 1000 + ns / 1000000000LL);
  deadline.tv_nsec = static_cast<long>(ns % 1000000000LL);
  return deadline;
}

// Locks and unlocks the queue's mutex for a scope.
class Locked {
 public:
  explicit Locked(pthread_mutex_t* mu) : mu_(mu) { check(pthread_mutex_lock(mu_), "lock"); }
  ~Locked() { pthread_mutex_unlock(mu_); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  pthread_mutex_t* mu_;
};

}  // namespace

ShmQueue::ShmQueue(std::size_t capacity, std::size_t max_message)
    : capacity_(capacity), max_message_(max_message) {
  if (capacity < 1 || max_message < 1) throw std::invalid_argument("ShmQueue: zero size");
  bytes_ = sizeof(Header) + capacity_ * slot_size();
  void* memory =
      mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) check(errno, "mmap");
  header_ = static_cast<Header*>(memory);

  pthread_mutexattr_t mutex_attr;
  pthread_mutexattr_init(&mutex_attr);
  pthread_mutexattr_setpshared(&mutex_attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&header_->mu, &mutex_attr);
  pthread_mutexattr_destroy(&mutex_attr);

  pthread_condattr_t cond_attr;
  pthread_condattr_init(&cond_attr);
  pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC);
  pthread_cond_init(&header_->not_empty, &cond_attr);
  pthread_cond_init(&header_->not_full, &cond_attr);
  pthread_condattr_destroy(&cond_attr);
  header_->head = 0;
  header_->count = 0;
}

ShmQueue::~ShmQueue() {
  pthread_cond_destroy(&header_->not_full);
  pthread_cond_destroy(&header_->not_empty);
  pthread_mutex_destroy(&header_->mu);
  munmap(header_, bytes_);
}

std::size_t ShmQueue::slot_size() const {
  // Keep every slot's length field aligned.
  const std::size_t align = alignof(std::size_t);
  return (sizeof(std::size_t) + max_message_ + align - 1) / align * align;
}

char* ShmQueue::slot(std::size_t i) const {
  return reinterpret_cast<char*>(header_) + sizeof(Header) + i * slot_size();
}

void ShmQueue::push(std::string_view message) {
  if (message.size() > max_message_) throw std::length_error("ShmQueue::push: message too long");
  Locked lock(&header_->mu);
  while (header_->count == capacity_) pthread_cond_wait(&header_->not_full, &header_->mu);
  char* s = slot((header_->head + header_->count) % capacity_);
  const std::size_t length = message.size();
  std::memcpy(s, &length, sizeof length);
  std::memcpy(s + sizeof length, message.data(), length);
  ++header_->count;
  // Signal while holding the lock; every push wakes one popper, and there is one new message.
  pthread_cond_signal(&header_->not_empty);
}

std::string ShmQueue::take_locked() {
  char* s = slot(header_->head);
  std::size_t length = 0;
  std::memcpy(&length, s, sizeof length);
  std::string message(s + sizeof length, length);
  header_->head = (header_->head + 1) % capacity_;
  --header_->count;
  pthread_cond_signal(&header_->not_full);
  return message;
}

std::string ShmQueue::pop() {
  Locked lock(&header_->mu);
  while (header_->count == 0) pthread_cond_wait(&header_->not_empty, &header_->mu);
  return take_locked();
}

std::optional<std::string> ShmQueue::pop_for(std::chrono::milliseconds timeout) {
  const timespec deadline = deadline_after(timeout);
  Locked lock(&header_->mu);
  while (header_->count == 0) {
    if (pthread_cond_timedwait(&header_->not_empty, &header_->mu, &deadline) == ETIMEDOUT) {
      if (header_->count == 0) return std::nullopt;
    }
  }
  return take_locked();
}

}  // namespace kata::processes
