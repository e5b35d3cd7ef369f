#include "runtime/trace/cxx_library_functions.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace lockgraph::runtime {
namespace {

// A read-only mapping of a whole file, unmapped on scope exit.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* data = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (data != MAP_FAILED) {
        data_ = static_cast<const char*>(data);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // The `count` objects of type T at `offset`, or nullptr if they are not all in the file.
  template <typename T>
  const T* At(uint64_t offset, uint64_t count = 1) const {
    if (data_ == nullptr || offset > size_ || count > (size_ - offset) / sizeof(T)) {
      return nullptr;
    }
    return reinterpret_cast<const T*>(data_ + offset);
  }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

bool CxxLibraryFunctions::IsLibrarySymbol(std::string_view name) {
  for (std::string_view prefix :
       {"_ZNSt", "_ZNKSt", "_ZSt", "_ZN9__gnu_cxx", "_ZNK9__gnu_cxx"}) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  // libstdc++'s static helpers, e.g. _ZL20__gthread_mutex_lockP15pthread_mutex_t.
  return name.substr(0, 3) == "_ZL" && name.find("__gthread_") != std::string_view::npos;
}

CxxLibraryFunctions CxxLibraryFunctions::Load(const std::string& path) {
  CxxLibraryFunctions functions;
  const MappedFile file(path);
  const auto* header = file.At<Elf64_Ehdr>(0);
  if (header == nullptr || std::memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 ||
      header->e_ident[EI_CLASS] != ELFCLASS64 || header->e_shentsize != sizeof(Elf64_Shdr)) {
    return functions;
  }
  const auto* sections = file.At<Elf64_Shdr>(header->e_shoff, header->e_shnum);
  if (sections == nullptr) return functions;
  // .symtab has every function (static ones too); a stripped file has only .dynsym.
  const Elf64_Shdr* symbols = nullptr;
  for (uint32_t type : {SHT_SYMTAB, SHT_DYNSYM}) {
    for (uint16_t i = 0; i < header->e_shnum && symbols == nullptr; ++i) {
      if (sections[i].sh_type == type && sections[i].sh_link < header->e_shnum) {
        symbols = &sections[i];
      }
    }
    if (symbols != nullptr) break;
  }
  if (symbols == nullptr) return functions;
  const Elf64_Shdr& names = sections[symbols->sh_link];
  const auto* strings = file.At<char>(names.sh_offset, names.sh_size);
  const auto* entries =
      file.At<Elf64_Sym>(symbols->sh_offset, symbols->sh_size / sizeof(Elf64_Sym));
  if (strings == nullptr || entries == nullptr) return functions;
  for (uint64_t i = 0; i < symbols->sh_size / sizeof(Elf64_Sym); ++i) {
    const Elf64_Sym& symbol = entries[i];
    if (ELF64_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_shndx == SHN_UNDEF ||
        symbol.st_size == 0 || symbol.st_name >= names.sh_size) {
      continue;
    }
    const char* name = strings + symbol.st_name;
    const size_t length = strnlen(name, names.sh_size - symbol.st_name);
    if (IsLibrarySymbol(std::string_view(name, length))) {
      functions.ranges_.push_back({symbol.st_value, symbol.st_value + symbol.st_size});
    }
  }
  std::sort(functions.ranges_.begin(), functions.ranges_.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  return functions;
}

bool CxxLibraryFunctions::Contains(uint64_t address) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](uint64_t value, const Range& r) { return value < r.begin; });
  if (it == ranges_.begin()) return false;
  --it;
  return address < it->end;
}

}  // namespace lockgraph::runtime
