// How findings name a lock class: by the name the program gave it (a wrapper's name, the
// variable of a lock in static storage), or for a class named by where it was made (a
// construction site; for the LD_PRELOAD interposer a heap allocation site, or the site of
// first use), by that site.
//
//   ClassLabel(c)   // `Lock "accounts"`, `Lock created at bank.cc:12`, `pthread_mutex g_bank.ledger`,
//                   // `pthread_mutex allocated at x.cc:9`, `pthread_mutex first used at x.cc:5`
//   ShortName(c)    // `"accounts"`, `bank.cc:12`, `g_bank.ledger`
//   ClassToken(c)   // what a finding id hashes: `accounts`, `bank.cc@Deposit`, `g_bank.ledger`
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_LOCK_LABELS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_LOCK_LABELS_H_

#include <string>

#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

// A class named by where it was made rather than by the program.
bool IsSiteClass(const ModelClass& c);

// The label reports show for a class: its kind and its name or site.
std::string ClassLabel(const ModelClass& c);

// The short name used in messages: "accounts" (quoted), or "bank.cc:12".
std::string ShortName(const ModelClass& c);

// What identifies a class in a finding id: its name, or for a class named by its
// construction site, the file's base name and the function (not the line, which moves).
std::string ClassToken(const ModelClass& c);

// What the class's file:line is: "created", "declared", "allocated" or "first used".
std::string SiteVerb(const ModelClass& c);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_LOCK_LABELS_H_
