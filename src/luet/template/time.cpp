// Go's time.Time for templates: layouts (Format/Parse with the reference time
// "Mon Jan 2 15:04:05 MST 2006"), durations (String/ParseDuration) and locations read from
// the system's zoneinfo (TZif files, their POSIX TZ footer beyond the last transition), as
// sprig's date functions use them (Masterminds/sprig v3 date.go).
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <strings.h>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "luet/template/internal.hpp"

namespace luet::tmpl::detail {
namespace {

constexpr const char* kTimeKey = "\x01time";

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t year;
    int month, day, hour, min, sec, wday, yday;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Civil civil_from(std::int64_t secs) {
    const std::int64_t days = floor_div(secs, 86400);
    // secs % 86400 made non-negative (secs - days * 86400 overflows at the int64 ends).
    const std::int64_t rem = (secs % 86400 + 86400) % 86400;
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    Civil c{};
    c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.year = static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2);
    c.hour = static_cast<int>(rem / 3600);
    c.min = static_cast<int>(rem / 60 % 60);
    c.sec = static_cast<int>(rem % 60);
    c.wday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    c.yday = static_cast<int>(days - days_from_civil(c.year, 1, 1)) + 1;
    return c;
}

bool is_leap(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

// POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), used past a zone file's last transition.
struct PosixRule {
    std::string std_name, dst_name;
    int std_off = 0, dst_off = 0;  // seconds east of UTC
    bool has_dst = false;
    struct When {
        char kind = 'M';  // 'M' month/week/day, 'J' Julian 1..365 no leap, 'D' 0..365
        int m = 0, w = 0, d = 0, n = 0;
        int time = 7200;
    } start, end;
};

bool parse_posix(const std::string& s, PosixRule& r) {
    size_t i = 0;
    auto name = [&](std::string& out) {
        if (i < s.size() && s[i] == '<') {
            size_t e = s.find('>', i);
            if (e == std::string::npos) return false;
            out = s.substr(i + 1, e - i - 1);
            i = e + 1;
            return true;
        }
        size_t b = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        out = s.substr(b, i - b);
        return out.size() >= 3;
    };
    auto offset = [&](int& out) {  // [+-]hh[:mm[:ss]], returns seconds
        int sign = 1;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
        int parts[3] = {0, 0, 0};
        for (int k = 0; k < 3; ++k) {
            if (k > 0) {
                if (i >= s.size() || s[i] != ':') break;
                ++i;
            }
            if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
            int v = 0;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
            parts[k] = v;
        }
        out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
        return true;
    };
    auto when = [&](PosixRule::When& w) {
        auto num = [&](int& v) {
            if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
            v = 0;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
            return true;
        };
        if (i < s.size() && s[i] == 'M') {
            ++i;
            w.kind = 'M';
            if (!num(w.m) || i >= s.size() || s[i++] != '.' || !num(w.w) || i >= s.size() || s[i++] != '.' || !num(w.d))
                return false;
        } else if (i < s.size() && s[i] == 'J') {
            ++i;
            w.kind = 'J';
            if (!num(w.n)) return false;
        } else {
            w.kind = 'D';
            if (!num(w.n)) return false;
        }
        if (i < s.size() && s[i] == '/') {
            ++i;
            if (!offset(w.time)) return false;
        }
        return true;
    };
    int off = 0;
    if (!name(r.std_name) || !offset(off)) return false;
    r.std_off = -off;
    if (i == s.size()) return true;
    if (!name(r.dst_name)) return false;
    r.has_dst = true;
    r.dst_off = r.std_off + 3600;
    if (i < s.size() && s[i] != ',') {
        if (!offset(off)) return false;
        r.dst_off = -off;
    }
    if (i == s.size()) {  // no rule given: the US rules POSIX assumes
        r.start = {'M', 3, 2, 0, 0, 7200};
        r.end = {'M', 11, 1, 0, 0, 7200};
        return true;
    }
    if (s[i++] != ',' || !when(r.start) || i >= s.size() || s[i++] != ',' || !when(r.end)) return false;
    return i == s.size();
}

// Seconds since the start of `year` (local, no offset) at which rule `w` fires.
std::int64_t rule_time(std::int64_t year, const PosixRule::When& w) {
    std::int64_t day = 0;  // 0-based day of the year
    if (w.kind == 'J') {
        day = w.n - 1;
        if (is_leap(year) && w.n >= 60) ++day;
    } else if (w.kind == 'D') {
        day = w.n;
    } else {
        const std::int64_t first = days_from_civil(year, static_cast<unsigned>(w.m), 1);
        const int wday_first = static_cast<int>(((first + 4) % 7 + 7) % 7);
        int mday = 1 + (w.d - wday_first + 7) % 7 + (w.w - 1) * 7;
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int dim = mdays[w.m - 1] + (w.m == 2 && is_leap(year));
        while (mday > dim) mday -= 7;
        day = first - days_from_civil(year, 1, 1) + mday - 1;
    }
    return day * 86400 + w.time;
}

struct ZoneType {
    int offset = 0;
    std::string abbr;
};

struct Zone {
    std::string name;
    std::vector<std::int64_t> transitions;
    std::vector<int> transition_type;
    std::vector<ZoneType> types;
    std::optional<PosixRule> rule;

    ZoneType lookup(std::int64_t t) const {
        if (types.empty()) return {0, "UTC"};
        if (transitions.empty() || t < transitions.front()) {
            return types.front();
        }
        if (t >= transitions.back() && rule) {
            const PosixRule& r = *rule;
            if (!r.has_dst) return {r.std_off, r.std_name};
            const std::int64_t year = civil_from(go_add(t, r.std_off)).year;
            const std::int64_t y0 = go_mul(days_from_civil(year, 1, 1), 86400);  // wraps at the int64 ends, as Go's
            const std::int64_t start = go_sub(go_add(y0, rule_time(year, r.start)), r.std_off);
            const std::int64_t end = go_sub(go_add(y0, rule_time(year, r.end)), r.dst_off);
            const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
            return dst ? ZoneType{r.dst_off, r.dst_name} : ZoneType{r.std_off, r.std_name};
        }
        size_t lo = 0, hi = transitions.size();
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (transitions[mid] <= t) lo = mid;
            else hi = mid;
        }
        return types[static_cast<size_t>(transition_type[lo])];
    }
};

std::int64_t be(const unsigned char* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

// TZif (RFC 8536): the version 2+ 64-bit block when present, else version 1.
std::optional<Zone> parse_tzif(const std::string& data, const std::string& name) {
    auto header = [&](size_t at, std::int64_t counts[6]) {
        if (data.size() < at + 44 || data.compare(at, 4, "TZif") != 0) return false;
        for (int k = 0; k < 6; ++k) counts[k] = be(reinterpret_cast<const unsigned char*>(data.data()) + at + 20 + 4 * k, 4);
        return true;
    };
    std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    if (!header(0, c)) return std::nullopt;
    const char version = data[4];
    size_t at = 0;
    int tsize = 4;
    if (version >= '2') {
        const size_t v1 = 44 + static_cast<size_t>(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
        if (!header(v1, c)) return std::nullopt;
        at = v1;
        tsize = 8;
    }
    size_t p = at + 44;
    const auto* u = reinterpret_cast<const unsigned char*>(data.data());
    const size_t need = static_cast<size_t>(c[3] * tsize + c[3] + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0]);
    if (data.size() < p + need) return std::nullopt;
    Zone z;
    z.name = name;
    for (std::int64_t k = 0; k < c[3]; ++k, p += static_cast<size_t>(tsize)) z.transitions.push_back(be(u + p, tsize));
    for (std::int64_t k = 0; k < c[3]; ++k, ++p) z.transition_type.push_back(u[p]);
    std::vector<std::pair<int, int>> raw;  // offset, abbreviation index
    for (std::int64_t k = 0; k < c[4]; ++k, p += 6) raw.emplace_back(static_cast<int>(be(u + p, 4)), u[p + 5]);
    const std::string chars = data.substr(p, static_cast<size_t>(c[5]));
    p += static_cast<size_t>(c[5]) + static_cast<size_t>(c[2] * (tsize + 4) + c[1] + c[0]);
    for (const auto& [off, ai] : raw)
        z.types.push_back({off, static_cast<size_t>(ai) < chars.size() ? std::string(chars.c_str() + ai) : std::string()});
    for (int t : z.transition_type)
        if (static_cast<size_t>(t) >= z.types.size()) return std::nullopt;
    if (version >= '2' && p < data.size() && data[p] == '\n') {
        const size_t e = data.find('\n', p + 1);
        if (e != std::string::npos) {
            PosixRule r;
            if (parse_posix(data.substr(p + 1, e - p - 1), r)) z.rule = r;
        }
    }
    return z;
}

Zone utc_zone(const std::string& name = "UTC") {
    Zone z;
    z.name = name;
    z.types.push_back({0, "UTC"});
    return z;
}

std::optional<Zone> read_zone_file(const std::string& file, const std::string& name) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_tzif(ss.str(), name);
}

// Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the process' zone ($TZ, else
// /etc/localtime), other names files under $ZONEINFO or /usr/share/zoneinfo.
std::optional<Zone> load_zone(const std::string& name) {
    if (name.empty() || name == "UTC") return utc_zone();
    if (name == "Local") {
        const char* tz = std::getenv("TZ");
        if (!tz) {
            auto z = read_zone_file("/etc/localtime", "Local");
            return z ? z : utc_zone();
        }
        std::string t = tz;
        if (!t.empty() && t[0] == ':') t.erase(0, 1);
        if (t.empty() || t == "UTC") return utc_zone();
        auto z = t[0] == '/' ? read_zone_file(t, "Local") : load_zone(t);
        if (z) z->name = "Local";
        return z ? z : utc_zone();
    }
    if (name.find("..") != std::string::npos || name[0] == '/' || name[0] == '\\') return std::nullopt;
    std::vector<std::string> dirs;
    if (const char* zi = std::getenv("ZONEINFO"); zi && *zi) dirs.emplace_back(zi);
    dirs.insert(dirs.end(), {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ"});
    for (const auto& d : dirs)
        if (auto z = read_zone_file(d + "/" + name, name)) return z;
    return std::nullopt;
}

// The zone of a name, read once per process. Only zones read from a file are kept, and at
// most kCachedZones of them (a file has many names: "Europe/./Rome"): templates naming
// endless different zones must not grow the memory (fuzz_template found that growth).
constexpr size_t kCachedZones = 256;
struct ZoneCache {
    std::mutex m;
    std::map<std::string, Zone> zones;
};
ZoneCache& zone_cache() {
    static ZoneCache c;
    return c;
}
ZoneType zone_type_at(const std::string& name, std::int64_t t) {
    auto& [m, cache] = zone_cache();
    std::lock_guard<std::mutex> lock(m);
    if (auto it = cache.find(name); it != cache.end()) return it->second.lookup(t);
    auto zone = load_zone(name);
    if (!zone) return utc_zone(name).lookup(t);
    if (cache.size() >= kCachedZones) return zone->lookup(t);
    return cache.emplace(name, std::move(*zone)).first->second.lookup(t);
}

// A time's location: a zone name, or a fixed zone "=OFFSET=ABBR" (from a parsed offset).
ZoneType zone_at(const std::string& loc, std::int64_t t) {
    if (!loc.empty() && loc[0] == '=') {
        const size_t e = loc.find('=', 1);
        return {std::atoi(loc.substr(1, e - 1).c_str()), loc.substr(e + 1)};
    }
    return zone_type_at(loc, t);
}

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

enum Std {
    None, LongMonth, Month, NumMonth, ZeroMonth, LongWeekDay, WeekDay, Day, UnderDay, ZeroDay, UnderYearDay,
    ZeroYearDay, Hour, Hour12, ZeroHour12, Minute, ZeroMinute, Second, ZeroSecond, LongYear, Year, PM, pm, TZ,
    ISO8601TZ, ISO8601SecondsTZ, ISO8601ShortTZ, ISO8601ColonTZ, ISO8601ColonSecondsTZ, NumTZ, NumSecondsTz,
    NumShortTZ, NumColonTZ, NumColonSecondsTZ, FracSecond0, FracSecond9
};

struct Chunk {
    std::string prefix;
    Std std = None;
    int frac_digits = 0;
    char frac_sep = '.';
    std::string rest;
};

bool starts(const std::string& s, size_t i, const char* p) { return s.compare(i, std::strlen(p), p) == 0; }

// Go's nextStdChunk: the text before the next layout element, the element and the rest.
Chunk next_chunk(const std::string& l) {
    auto ret = [&](size_t i, Std s, size_t len) { return Chunk{l.substr(0, i), s, 0, '.', l.substr(i + len)}; };
    for (size_t i = 0; i < l.size(); ++i) {
        const char c = l[i];
        switch (c) {
            case 'J':
                if (starts(l, i, "Jan")) return starts(l, i, "January") ? ret(i, LongMonth, 7) : ret(i, Month, 3);
                break;
            case 'M':
                if (starts(l, i, "Mon")) return starts(l, i, "Monday") ? ret(i, LongWeekDay, 6) : ret(i, WeekDay, 3);
                if (starts(l, i, "MST")) return ret(i, TZ, 3);
                break;
            case '0':
                if (i + 1 < l.size() && l[i + 1] >= '1' && l[i + 1] <= '6') {
                    static const Std z[] = {ZeroMonth, ZeroDay, ZeroHour12, ZeroMinute, ZeroSecond, Year};
                    return ret(i, z[l[i + 1] - '1'], 2);
                }
                if (starts(l, i, "002")) return ret(i, ZeroYearDay, 3);
                break;
            case '1':
                if (starts(l, i, "15")) return ret(i, Hour, 2);
                return ret(i, NumMonth, 1);
            case '2':
                if (starts(l, i, "2006")) return ret(i, LongYear, 4);
                return ret(i, Day, 1);
            case '_':
                if (starts(l, i, "_2")) {
                    if (starts(l, i + 1, "2006")) return Chunk{l.substr(0, i + 1), LongYear, 0, '.', l.substr(i + 5)};
                    return ret(i, UnderDay, 2);
                }
                if (starts(l, i, "__2")) return ret(i, UnderYearDay, 3);
                break;
            case '3': return ret(i, Hour12, 1);
            case '4': return ret(i, Minute, 1);
            case '5': return ret(i, Second, 1);
            case 'P':
                if (starts(l, i, "PM")) return ret(i, PM, 2);
                break;
            case 'p':
                if (starts(l, i, "pm")) return ret(i, pm, 2);
                break;
            case '-':
                if (starts(l, i, "-070000")) return ret(i, NumSecondsTz, 7);
                if (starts(l, i, "-07:00:00")) return ret(i, NumColonSecondsTZ, 9);
                if (starts(l, i, "-0700")) return ret(i, NumTZ, 5);
                if (starts(l, i, "-07:00")) return ret(i, NumColonTZ, 6);
                if (starts(l, i, "-07")) return ret(i, NumShortTZ, 3);
                break;
            case 'Z':
                if (starts(l, i, "Z070000")) return ret(i, ISO8601SecondsTZ, 7);
                if (starts(l, i, "Z07:00:00")) return ret(i, ISO8601ColonSecondsTZ, 9);
                if (starts(l, i, "Z0700")) return ret(i, ISO8601TZ, 5);
                if (starts(l, i, "Z07:00")) return ret(i, ISO8601ColonTZ, 6);
                if (starts(l, i, "Z07")) return ret(i, ISO8601ShortTZ, 3);
                break;
            case '.':
            case ',':
                if (i + 1 < l.size() && (l[i + 1] == '0' || l[i + 1] == '9')) {
                    const char ch = l[i + 1];
                    size_t j = i + 1;
                    while (j < l.size() && l[j] == ch) ++j;
                    if (j >= l.size() || !std::isdigit(static_cast<unsigned char>(l[j]))) {
                        Chunk k = ret(i, ch == '0' ? FracSecond0 : FracSecond9, j - i);
                        k.frac_digits = static_cast<int>(j - i - 1);
                        k.frac_sep = c;
                        return k;
                    }
                }
                break;
            default: break;
        }
    }
    return Chunk{l, None, 0, '.', ""};
}

std::string pad(std::int64_t v, int width, char fill = '0') {
    std::string s = std::to_string(v < 0 ? -v : v);
    while (static_cast<int>(s.size()) < width) s.insert(s.begin(), fill);
    return (v < 0 ? "-" : "") + s;
}

std::string format_offset(int off, bool colon, bool seconds, bool short_form, bool z) {
    if (z && off == 0) return "Z";
    std::string s = off < 0 ? "-" : "+";
    const int a = off < 0 ? -off : off;
    s += pad(a / 3600, 2);
    if (short_form) return s;
    s += (colon ? ":" : "") + pad(a / 60 % 60, 2);
    if (seconds) s += (colon ? ":" : "") + pad(a % 60, 2);
    return s;
}

}  // namespace

// The shape make_time() writes, checked whole: a values document may hold a map with the same
// key (a fuzzed definition had "\x01time: f", and printing it threw nlohmann's type_error).
bool is_time(const json& v) {
    if (!v.is_object() || v.size() != 1 || !v.contains(kTimeKey)) return false;
    const json& a = v.at(kTimeKey);
    return a.is_array() && a.size() == 3 && a[0].is_number_integer() && a[1].is_number_integer() && a[2].is_string();
}

json make_time(std::int64_t sec, std::int64_t nsec, const std::string& loc) {
    sec += floor_div(nsec, 1000000000);
    nsec -= floor_div(nsec, 1000000000) * 1000000000;
    return json{{kTimeKey, json::array({sec, nsec, loc})}};
}

json time_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return make_time(ts.tv_sec, ts.tv_nsec, "Local");
}

TimeParts time_parts(const json& t) {
    const json& a = t.at(kTimeKey);
    return {a[0].get<std::int64_t>(), a[1].get<std::int64_t>(), a[2].get<std::string>()};
}

json time_in(const json& t, const std::string& loc) {
    TimeParts p = time_parts(t);
    return make_time(p.sec, p.nsec, loc);
}

size_t cached_zones() {
    auto& [m, cache] = zone_cache();
    std::lock_guard<std::mutex> lock(m);
    return cache.size();
}

bool valid_location(const std::string& name) { return name.empty() || name == "UTC" || name == "Local" || load_zone(name); }

std::string format_time(const json& t, const std::string& layout_in) {
    const TimeParts p = time_parts(t);
    const ZoneType z = zone_at(p.loc, p.sec);
    const Civil c = civil_from(go_add(p.sec, z.offset));  // wraps at the int64 ends, as Go's
    std::string out;
    std::string layout = layout_in;
    while (!layout.empty()) {
        Chunk k = next_chunk(layout);
        out += k.prefix;
        if (k.std == None) break;
        layout = k.rest;
        switch (k.std) {
            case Year: out += pad(((c.year % 100) + 100) % 100, 2); break;
            case LongYear: out += pad(c.year, 4); break;
            case Month: out += std::string(kMonths[c.month - 1]).substr(0, 3); break;
            case LongMonth: out += kMonths[c.month - 1]; break;
            case NumMonth: out += std::to_string(c.month); break;
            case ZeroMonth: out += pad(c.month, 2); break;
            case WeekDay: out += std::string(kDays[c.wday]).substr(0, 3); break;
            case LongWeekDay: out += kDays[c.wday]; break;
            case Day: out += std::to_string(c.day); break;
            case UnderDay: out += pad(c.day, 2, ' '); break;
            case ZeroDay: out += pad(c.day, 2); break;
            case UnderYearDay: out += pad(c.yday, 3, ' '); break;
            case ZeroYearDay: out += pad(c.yday, 3); break;
            case Hour: out += pad(c.hour, 2); break;
            case Hour12: out += std::to_string(c.hour % 12 == 0 ? 12 : c.hour % 12); break;
            case ZeroHour12: out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2); break;
            case Minute: out += std::to_string(c.min); break;
            case ZeroMinute: out += pad(c.min, 2); break;
            case Second: out += std::to_string(c.sec); break;
            case ZeroSecond: out += pad(c.sec, 2); break;
            case PM: out += c.hour >= 12 ? "PM" : "AM"; break;
            case pm: out += c.hour >= 12 ? "pm" : "am"; break;
            case ISO8601TZ: out += format_offset(z.offset, false, false, false, true); break;
            case ISO8601SecondsTZ: out += format_offset(z.offset, false, true, false, true); break;
            case ISO8601ShortTZ: out += format_offset(z.offset, false, false, true, true); break;
            case ISO8601ColonTZ: out += format_offset(z.offset, true, false, false, true); break;
            case ISO8601ColonSecondsTZ: out += format_offset(z.offset, true, true, false, true); break;
            case NumTZ: out += format_offset(z.offset, false, false, false, false); break;
            case NumSecondsTz: out += format_offset(z.offset, false, true, false, false); break;
            case NumShortTZ: out += format_offset(z.offset, false, false, true, false); break;
            case NumColonTZ: out += format_offset(z.offset, true, false, false, false); break;
            case NumColonSecondsTZ: out += format_offset(z.offset, true, true, false, false); break;
            case TZ:
                if (!z.abbr.empty()) {
                    out += z.abbr;
                } else {
                    const int a = z.offset < 0 ? -z.offset : z.offset;
                    out += (z.offset < 0 ? "-" : "+") + pad(a / 3600, 2) + pad(a / 60 % 60, 2);
                }
                break;
            case FracSecond0: {
                std::string d = pad(p.nsec, 9).substr(0, static_cast<size_t>(k.frac_digits));
                out += k.frac_sep + d;
                break;
            }
            case FracSecond9: {
                std::string d = pad(p.nsec, 9).substr(0, static_cast<size_t>(k.frac_digits));
                while (!d.empty() && d.back() == '0') d.pop_back();
                if (!d.empty()) out += k.frac_sep + d;
                break;
            }
            case None: break;
        }
    }
    return out;
}

std::string time_string(const json& t) { return format_time(t, "2006-01-02 15:04:05.999999999 -0700 MST"); }

// Go's time.ParseInLocation for the layout elements above.
json parse_time(const std::string& layout_in, const std::string& value_in, const std::string& loc, std::string& err) {
    std::string layout = layout_in, v = value_in;
    std::int64_t year = 0;
    int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0;
    std::int64_t nsec = 0;
    bool pm_set = false, pm_val = false;
    std::optional<int> offset;
    std::string zone_abbr;
    auto bad = [&](const std::string& what) {
        err = "parsing time " + go_quote(value_in) + " as " + go_quote(layout_in) + ": cannot parse " + go_quote(v) +
              " as " + go_quote(what);
        return json();
    };
    auto digits = [&](int min_n, int max_n, int& out) {
        int n = 0, val = 0;
        while (n < max_n && n < static_cast<int>(v.size()) && std::isdigit(static_cast<unsigned char>(v[static_cast<size_t>(n)])))
            val = val * 10 + (v[static_cast<size_t>(n++)] - '0');
        if (n < min_n) return false;
        v.erase(0, static_cast<size_t>(n));
        out = val;
        return true;
    };
    auto lookup_name = [&](const char* const* names, int count, bool abbrev, int& out) {
        for (int k = 0; k < count; ++k) {
            std::string nm = abbrev ? std::string(names[k]).substr(0, 3) : names[k];
            if (v.size() >= nm.size() && strncasecmp(v.c_str(), nm.c_str(), nm.size()) == 0) {
                v.erase(0, nm.size());
                out = k;
                return true;
            }
        }
        return false;
    };
    while (true) {
        Chunk k = next_chunk(layout);
        const std::string std_text = layout.substr(k.prefix.size(), layout.size() - k.prefix.size() - k.rest.size());
        // Literal text must match (spaces are not special here).
        if (v.compare(0, k.prefix.size(), k.prefix) != 0) {
            err = "parsing time " + go_quote(value_in) + " as " + go_quote(layout_in) + ": cannot parse " +
                  go_quote(v) + " as " + go_quote(k.prefix);
            return json();
        }
        v.erase(0, k.prefix.size());
        if (k.std == None) {
            if (!v.empty()) {
                err = "parsing time " + go_quote(value_in) + ": extra text: " + go_quote(v);
                return json();
            }
            break;
        }
        layout = k.rest;
        int n = 0;
        switch (k.std) {
            case Year:
                if (!digits(2, 2, n)) return bad(std_text);
                year = n >= 69 ? n + 1900 : n + 2000;
                break;
            case LongYear:
                if (!digits(4, 4, n)) return bad(std_text);
                year = n;
                break;
            case Month:
                if (!lookup_name(kMonths, 12, true, n)) return bad(std_text);
                month = n + 1;
                break;
            case LongMonth:
                if (!lookup_name(kMonths, 12, false, n)) return bad(std_text);
                month = n + 1;
                break;
            case NumMonth:
            case ZeroMonth:
                if (!digits(k.std == ZeroMonth ? 2 : 1, 2, n) || n < 1 || n > 12) return bad(std_text);
                month = n;
                break;
            case WeekDay:
                if (!lookup_name(kDays, 7, true, n)) return bad(std_text);
                break;
            case LongWeekDay:
                if (!lookup_name(kDays, 7, false, n)) return bad(std_text);
                break;
            case Day:
            case UnderDay:
            case ZeroDay:
                if (k.std == UnderDay && !v.empty() && v[0] == ' ') v.erase(0, 1);
                if (!digits(k.std == ZeroDay ? 2 : 1, 2, n)) return bad(std_text);
                day = n;
                break;
            case UnderYearDay:
            case ZeroYearDay:
                while (k.std == UnderYearDay && !v.empty() && v[0] == ' ') v.erase(0, 1);
                if (!digits(k.std == ZeroYearDay ? 3 : 1, 3, n) || n < 1 || n > 366) return bad(std_text);
                yday = n;
                break;
            case Hour:
                if (!digits(2, 2, n) || n > 23) return bad(std_text);
                hour = n;
                break;
            case Hour12:
            case ZeroHour12:
                if (!digits(k.std == ZeroHour12 ? 2 : 1, 2, n) || n > 12) return bad(std_text);
                hour = n;
                break;
            case Minute:
            case ZeroMinute:
                if (!digits(k.std == ZeroMinute ? 2 : 1, 2, n) || n > 59) return bad(std_text);
                min = n;
                break;
            case Second:
            case ZeroSecond: {
                if (!digits(k.std == ZeroSecond ? 2 : 1, 2, n) || n > 59) return bad(std_text);
                sec = n;
                // Go accepts a fractional second after the seconds even when the layout has none.
                if (v.size() >= 2 && (v[0] == '.' || v[0] == ',') && std::isdigit(static_cast<unsigned char>(v[1])) &&
                    next_chunk(layout).std != FracSecond0 && next_chunk(layout).std != FracSecond9) {
                    size_t j = 1;
                    std::string f;
                    while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) f += v[j++];
                    v.erase(0, j);
                    f = (f + "000000000").substr(0, 9);
                    nsec = std::atoll(f.c_str());
                }
                break;
            }
            case PM:
            case pm: {
                if (v.size() < 2) return bad(std_text);
                std::string p = v.substr(0, 2);
                for (auto& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                if (p != "AM" && p != "PM") return bad(std_text);
                pm_set = true;
                pm_val = p == "PM";
                v.erase(0, 2);
                break;
            }
            case ISO8601TZ: case ISO8601SecondsTZ: case ISO8601ShortTZ: case ISO8601ColonTZ: case ISO8601ColonSecondsTZ:
            case NumTZ: case NumSecondsTz: case NumShortTZ: case NumColonTZ: case NumColonSecondsTZ: {
                const bool z = k.std == ISO8601TZ || k.std == ISO8601SecondsTZ || k.std == ISO8601ShortTZ ||
                               k.std == ISO8601ColonTZ || k.std == ISO8601ColonSecondsTZ;
                if (z && !v.empty() && v[0] == 'Z') {
                    v.erase(0, 1);
                    offset = 0;
                    zone_abbr = "UTC";
                    break;
                }
                if (v.empty() || (v[0] != '+' && v[0] != '-')) return bad(std_text);
                const int sign = v[0] == '-' ? -1 : 1;
                v.erase(0, 1);
                const bool colon = k.std == ISO8601ColonTZ || k.std == ISO8601ColonSecondsTZ || k.std == NumColonTZ ||
                                   k.std == NumColonSecondsTZ;
                const bool short_form = k.std == ISO8601ShortTZ || k.std == NumShortTZ;
                const bool seconds = k.std == ISO8601SecondsTZ || k.std == ISO8601ColonSecondsTZ ||
                                     k.std == NumSecondsTz || k.std == NumColonSecondsTZ;
                int hh = 0, mm = 0, ss = 0;
                if (!digits(2, 2, hh)) return bad(std_text);
                if (!short_form) {
                    if (colon) {
                        if (v.empty() || v[0] != ':') return bad(std_text);
                        v.erase(0, 1);
                    }
                    if (!digits(2, 2, mm)) return bad(std_text);
                    if (seconds) {
                        if (colon) {
                            if (v.empty() || v[0] != ':') return bad(std_text);
                            v.erase(0, 1);
                        }
                        if (!digits(2, 2, ss)) return bad(std_text);
                    }
                }
                offset = sign * (hh * 3600 + mm * 60 + ss);
                break;
            }
            case TZ: {
                if (v.size() >= 3 && v.compare(0, 3, "UTC") == 0) {
                    v.erase(0, 3);
                    zone_abbr = "UTC";
                    offset = 0;
                    break;
                }
                size_t j = 0;
                while (j < v.size() && std::isupper(static_cast<unsigned char>(v[j]))) ++j;
                if (j < 3) return bad(std_text);
                zone_abbr = v.substr(0, j);
                v.erase(0, j);
                break;
            }
            case FracSecond0: {
                if (v.empty() || v[0] != k.frac_sep) return bad(std_text);
                v.erase(0, 1);
                std::string f = v.substr(0, static_cast<size_t>(k.frac_digits));
                if (static_cast<int>(f.size()) < k.frac_digits ||
                    !std::all_of(f.begin(), f.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
                    return bad(std_text);
                v.erase(0, f.size());
                nsec = std::atoll((f + "000000000").substr(0, 9).c_str());
                break;
            }
            case FracSecond9: {
                if (v.size() < 2 || (v[0] != '.' && v[0] != ',') || !std::isdigit(static_cast<unsigned char>(v[1]))) break;
                size_t j = 1;
                std::string f;
                while (j < v.size() && j <= 9 && std::isdigit(static_cast<unsigned char>(v[j]))) f += v[j++];
                v.erase(0, j);
                nsec = std::atoll((f + "000000000").substr(0, 9).c_str());
                break;
            }
            case None: break;
        }
    }
    if (pm_set) {
        if (hour > 12) return bad("PM");
        if (pm_val && hour < 12) hour += 12;
        if (!pm_val && hour == 12) hour = 0;
    }
    if (yday >= 0) {
        std::int64_t d0 = days_from_civil(year, 1, 1) + yday - 1;
        Civil c = civil_from(d0 * 86400);
        if (c.year != year) {
            err = "parsing time " + go_quote(value_in) + ": day-of-year out of range";
            return json();
        }
        if (month >= 0 && month != c.month) {
            err = "parsing time " + go_quote(value_in) + ": day-of-year does not match month";
            return json();
        }
        month = c.month;
        if (day >= 0 && day != c.day) {
            err = "parsing time " + go_quote(value_in) + ": day-of-year does not match day";
            return json();
        }
        day = c.day;
    }
    if (month < 0) month = 1;
    if (day < 0) day = 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day < 1 || day > mdays[month - 1] + (month == 2 && is_leap(year))) {
        err = "parsing time " + go_quote(value_in) + ": day out of range";
        return json();
    }
    const std::int64_t local = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                               hour * 3600 + min * 60 + sec;
    if (offset) {
        const std::int64_t t = local - *offset;
        // An offset matching the location's own at that instant keeps the location.
        if (zone_at(loc, t).offset == *offset && (zone_abbr.empty() || zone_at(loc, t).abbr == zone_abbr))
            return make_time(t, nsec, loc);
        if (*offset == 0 && zone_abbr == "UTC") return make_time(t, nsec, "UTC");
        return make_time(t, nsec, "=" + std::to_string(*offset) + "=" + zone_abbr);
    }
    if (!zone_abbr.empty()) {
        // A known abbreviation of the location at that time takes its offset; else offset 0.
        for (std::int64_t guess : {local - zone_at(loc, local).offset}) {
            const ZoneType z = zone_at(loc, guess);
            if (z.abbr == zone_abbr) return make_time(local - z.offset, nsec, loc);
        }
        if (zone_abbr == "UTC" || zone_abbr == "GMT") return make_time(local, nsec, "UTC");
        return make_time(local, nsec, "=0=" + zone_abbr);
    }
    // In the location: the offset in force at that local time (Go's Date()).
    std::int64_t t = local - zone_at(loc, local).offset;
    const int off2 = zone_at(loc, t).offset;
    if (local - off2 != t && zone_at(loc, local - off2).offset == off2) t = local - off2;
    return make_time(t, nsec, loc);
}

// Go's Duration.String: "1h2m3.5s", "1.5ms", "0s".
std::string duration_string(std::int64_t d) {
    if (d == 0) return "0s";
    const bool neg = d < 0;
    std::uint64_t u = neg ? static_cast<std::uint64_t>(-(d + 1)) + 1 : static_cast<std::uint64_t>(d);
    auto frac = [](std::uint64_t v, int prec, std::string& out) {  // v / 10^prec with trailing zeros cut
        std::string digits;
        bool print = false;
        for (int i = 0; i < prec; ++i) {
            const auto digit = static_cast<char>('0' + v % 10);
            print = print || digit != '0';
            if (print) digits.insert(digits.begin(), digit);
            v /= 10;
        }
        if (print) out = "." + digits + out;
        return v;
    };
    std::string out;
    if (u < 1000000000ULL) {
        int prec = 0;
        std::string unit;
        if (u < 1000) {
            unit = "ns";
        } else if (u < 1000000) {
            prec = 3;
            unit = "\u00b5s";
        } else {
            prec = 6;
            unit = "ms";
        }
        out = unit;
        const std::uint64_t whole = frac(u, prec, out);
        out = std::to_string(whole) + out;
    } else {
        out = "s";
        std::uint64_t secs = frac(u, 9, out);
        out = std::to_string(secs % 60) + out;
        secs /= 60;
        if (secs > 0) {
            out = std::to_string(secs % 60) + "m" + out;
            secs /= 60;
            if (secs > 0) out = std::to_string(secs) + "h" + out;
        }
    }
    return (neg ? "-" : "") + out;
}

// Go's time.ParseDuration ("1h30m", "-1.5h", "300ms"); false on a malformed text.
bool parse_duration(const std::string& s_in, std::int64_t& out) {
    std::string s = s_in;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.erase(0, 1);
    }
    if (s == "0") {
        out = 0;
        return true;
    }
    if (s.empty()) return false;
    static const std::map<std::string, std::uint64_t> units = {
        {"ns", 1ULL}, {"us", 1000ULL}, {"\u00b5s", 1000ULL}, {"\u03bcs", 1000ULL}, {"ms", 1000000ULL},
        {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL}};
    long double total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t b = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        std::string whole = s.substr(b, i - b), fracs;
        if (i < s.size() && s[i] == '.') {
            ++i;
            size_t f = i;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
            fracs = s.substr(f, i - f);
        }
        if (whole.empty() && fracs.empty()) return false;
        size_t u = i;
        while (i < s.size() && s[i] != '.' && !std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        auto it = units.find(s.substr(u, i - u));
        if (it == units.end()) return false;
        long double v = whole.empty() ? 0 : std::strtold(whole.c_str(), nullptr);
        if (!fracs.empty()) v += std::strtold(("0." + fracs).c_str(), nullptr);
        total += v * static_cast<long double>(it->second);
    }
    if (total > 9223372036854775807.0L) return false;
    out = static_cast<std::int64_t>(total);
    if (neg) out = -out;
    return true;
}

}  // namespace luet::tmpl::detail
