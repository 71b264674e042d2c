-- wrk script: GET /healthz (the HTTP floor: routing, no database work beyond a ping).
package.path = os.getenv("BENCH_LIB") .. "/?.lua;" .. package.path
require("report")
done = bench_done
