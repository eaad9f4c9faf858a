// Compiled into privacy_release_test: the privacy headers must coexist with every other tokenmaxx
// header in one translation unit (the detail namespace is shared, so a duplicate helper is a build
// error here rather than in a user's program).
#include "tokenmaxx/tokenmaxx.hpp"
#include "tokenmaxx/ledger.hpp"
#include "tokenmaxx/privacy.hpp"
#include "tokenmaxx/pseudonym.hpp"
#include "tokenmaxx/privacy_budget.hpp"
#include "tokenmaxx/privacy_random.hpp"
#include "tokenmaxx/adoption_report.hpp"

static_assert(!std::is_copy_constructible_v<tokenmaxx::adoption_aggregator>,
              "the aggregator owns its state; it is handed out by unique_ptr");
