// A vector that grows by blocks and never moves what it holds. Growing a std::vector of
// millions of records copies all of them and, while it copies, needs the old and the new
// array at once: half as much memory again as the records themselves. Blocks cost neither,
// and a reference to an element stays valid. A block's memory is written only as elements
// come: a block allocated is not a block touched, so a small model maps few of its pages.
//
//   ChunkedVector<ModelDependency> deps;
//   deps.push_back(d);
//   for (const ModelDependency& d : deps) ...   // deps[i], deps.size() as a vector's
#ifndef LOCKGRAPH_ANALYZER_MODEL_CHUNKED_VECTOR_H_
#define LOCKGRAPH_ANALYZER_MODEL_CHUNKED_VECTOR_H_

#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>
#include <vector>

namespace lockgraph::analyzer {

// Blocks of 2^kBlockBits elements.
template <typename T, size_t kBlockBits = 16>
class ChunkedVector {
  // Elements are never destroyed: truncating frees their blocks as they are.
  static_assert(std::is_trivially_destructible_v<T>);

 public:
  using value_type = T;
  using size_type = size_t;
  using reference = T&;
  using const_reference = const T&;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    const_iterator(const ChunkedVector* v, size_t i) : v_(v), i_(i) {}
    const T& operator*() const { return (*v_)[i_]; }
    const T* operator->() const { return &(*v_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(v_, i_++); }
    bool operator==(const const_iterator& other) const { return i_ == other.i_; }

   private:
    const ChunkedVector* v_ = nullptr;
    size_t i_ = 0;
  };
  using iterator = const_iterator;

  ChunkedVector() = default;
  // `n` copies of `value`.
  explicit ChunkedVector(size_t n, const T& value = T()) {
    for (size_t i = 0; i < n; ++i) push_back(value);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return blocks_[i >> kBlockBits][i & kMask]; }
  T& operator[](size_t i) { return blocks_[i >> kBlockBits][i & kMask]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

  void push_back(const T& value) {
    if ((size_ >> kBlockBits) == blocks_.size()) {
      blocks_.emplace_back(std::allocator<T>().allocate(kBlock));
    }
    std::construct_at(&(*this)[size_++], value);
  }
  // Keeps the first `n` elements (n <= size()) and frees the blocks beyond them.
  void truncate(size_t n) {
    size_ = n;
    blocks_.resize((n + kMask) >> kBlockBits);
  }

 private:
  static constexpr size_t kBlock = size_t{1} << kBlockBits;
  static constexpr size_t kMask = kBlock - 1;
  // Storage for kBlock elements, the first ones of which are constructed.
  struct FreeBlock {
    void operator()(T* block) const { std::allocator<T>().deallocate(block, kBlock); }
  };
  std::vector<std::unique_ptr<T[], FreeBlock>> blocks_;
  size_t size_ = 0;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_MODEL_CHUNKED_VECTOR_H_
