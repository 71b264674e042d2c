#include "http/problem.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog::http {
namespace {

TEST(Problem, InvalidInputIs422NamingTheField) {
  const Response response = ErrorResponse(
      Error{ErrorCode::kInvalidArgument, "duration_seconds", "must be positive, got 0"});
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.content_type, "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["field"], "duration_seconds");
  EXPECT_EQ(body["detail"], "duration_seconds must be positive, got 0");
  EXPECT_EQ(body["title"], "Invalid input");
  EXPECT_EQ(body["type"], "urn:worklog:problem:invalid_argument");
}

TEST(Problem, ErrorWithoutFieldHasNoFieldMember) {
  const auto body =
      nlohmann::json::parse(ErrorResponse(NotFound("worklog 3 does not exist").value()).body);
  EXPECT_EQ(body["status"], 404);
  EXPECT_FALSE(body.contains("field"));
}

TEST(Problem, EachErrorCodeHasItsStatus) {
  EXPECT_EQ(StatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(StatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(StatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(StatusFor(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(StatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(StatusFor(ErrorCode::kInternal), 500);
}

TEST(Problem, InternalErrorsDoNotLeakTheirMessage) {
  const Response response =
      ErrorResponse(Error{ErrorCode::kInternal, {}, "SQL error near SELECT password_hash"});
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("password_hash"), std::string::npos);
  EXPECT_EQ(response.internal_error, "SQL error near SELECT password_hash");
}

TEST(Problem, InvalidUtf8InADetailDoesNotThrow) {
  const Response response = Problem(422, "invalid_argument", "bad \xff byte", "name");
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(nlohmann::json::accept(response.body));
}

}  // namespace
}  // namespace worklog::http
