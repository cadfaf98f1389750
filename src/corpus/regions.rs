//! China's provinces and prefecture-level cities (`data/regions.tsv`: full
//! name, short name, pinyin, level, province), so that a jurisdiction can be
//! placed in the hierarchy: 连云港经济技术开发区 lies in 连云港市, which lies
//! in 江苏省. Pure and built once; the table is compiled into the binary.

use std::sync::LazyLock;

/// The table, as shipped.
const TABLE: &str = include_str!("../../data/regions.tsv");

/// Provincial level (province, autonomous region, municipality, SAR) or
/// prefecture level (city, prefecture, autonomous prefecture, league).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Province,
    City,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The full official name: 江苏省, 连云港市, 延边朝鲜族自治州.
    pub name: &'static str,
    /// The name in running text: 江苏, 连云港, 延边.
    pub short: &'static str,
    /// Pinyin of the short name, lower case, no spaces: lianyungang.
    pub pinyin: &'static str,
    pub tier: Tier,
    /// Index of the province (itself for a province).
    province: usize,
}

/// The regions of the table.
#[derive(Debug)]
pub struct Regions {
    all: Vec<Region>,
}

static REGIONS: LazyLock<Regions> = LazyLock::new(|| Regions::parse(TABLE));

/// The shipped table.
pub fn regions() -> &'static Regions {
    &REGIONS
}

impl Regions {
    fn parse(table: &'static str) -> Regions {
        let mut all: Vec<Region> = vec![];
        for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&'static str> = line.split('\t').collect();
            let (name, short, pinyin, level, parent) = (f[0], f[1], f[2], f[3], f[4]);
            let tier = if level == "province" {
                Tier::Province
            } else {
                Tier::City
            };
            let province = match tier {
                Tier::Province => all.len(),
                Tier::City => all
                    .iter()
                    .position(|r| r.name == parent)
                    .expect("regions.tsv: a city's province comes before it"),
            };
            all.push(Region {
                name,
                short,
                pinyin,
                tier,
                province,
            });
        }
        Regions { all }
    }

    pub fn all(&self) -> &[Region] {
        &self.all
    }

    /// The province a region lies in (itself for a province).
    pub fn province_of<'a>(&'a self, r: &'a Region) -> &'a Region {
        &self.all[r.province]
    }

    /// Does `outer` contain `inner` (or is it `inner`)?
    pub fn contains(&self, outer: &Region, inner: &Region) -> bool {
        outer == inner || (outer.tier == Tier::Province && self.province_of(inner) == outer)
    }

    /// The regions a user's name designates: the full name, the short name
    /// or the pinyin (any case, spaces and hyphens ignored). Several when
    /// names collide (`suzhou`: 苏州市 and 宿州市; `吉林`: the province and
    /// the city).
    pub fn named(&self, name: &str) -> Vec<&Region> {
        let name = name.trim();
        let latin: String = name
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\'' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        self.all
            .iter()
            .filter(|r| {
                r.name == name || r.short == name || (!latin.is_empty() && r.pinyin == latin)
            })
            .collect()
    }

    /// The innermost region a jurisdiction lies in: 连云港经济技术开发区 →
    /// 连云港市, 江苏省南京市 → 南京市, 江苏省 → 江苏省, 中国（江苏）自由贸易试验区
    /// → 江苏省; `None` for 全国, a ministry or a place not in the table.
    /// The name's opening is tried first (the longest region name or short
    /// name it starts with, then a city of that province after it); else
    /// the first region named anywhere in it, a city before a province.
    pub fn place_of(&self, jurisdiction: &str) -> Option<&Region> {
        let j = jurisdiction.trim();
        if let Some(r) = self.opening(j, None) {
            if r.tier == Tier::Province {
                let rest = j[self.opening_len(j, r)..].trim_start_matches(['（', '(', '）', ')']);
                if let Some(city) = self.opening(rest, Some(r)) {
                    return Some(city);
                }
            }
            return Some(r);
        }
        let named_in = |tier: Tier| {
            self.all
                .iter()
                .filter(|r| r.tier == tier && r.short.chars().count() >= 2)
                .filter_map(|r| j.find(r.short).map(|at| (at, r)))
                .min_by_key(|(at, r)| (*at, std::cmp::Reverse(r.short.len())))
                .map(|(_, r)| r)
        };
        named_in(Tier::City).or_else(|| named_in(Tier::Province))
    }

    /// The region whose full or short name `s` starts with (the longest; a
    /// city before a province when both have that short name, unless the
    /// city is not a 市: 吉林经济技术开发区 → 吉林市, 海南… → 海南省),
    /// among the cities of `within` when given.
    fn opening(&self, s: &str, within: Option<&Region>) -> Option<&Region> {
        self.all
            .iter()
            .filter(|r| within.is_none_or(|p| r.tier == Tier::City && self.province_of(r) == p))
            .filter(|r| s.starts_with(r.name) || s.starts_with(r.short))
            .max_by_key(|r| {
                let city_first = r.tier == Tier::City && r.name.ends_with('市');
                (self.opening_len(s, r), city_first)
            })
    }

    /// How many bytes of `s` the name of `r` it starts with takes.
    fn opening_len(&self, s: &str, r: &Region) -> usize {
        if s.starts_with(r.name) {
            r.name.len()
        } else if s.starts_with(r.short) {
            r.short.len()
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(j: &str) -> Option<&'static str> {
        regions().place_of(j).map(|r| r.name)
    }

    #[test]
    fn the_table_is_whole_and_consistent() {
        let r = regions();
        let provinces = r.all().iter().filter(|x| x.tier == Tier::Province).count();
        let cities = r.all().iter().filter(|x| x.tier == Tier::City).count();
        assert_eq!(provinces, 34);
        assert!((330..=340).contains(&cities), "{cities}");
        let jiangsu = r.named("江苏")[0];
        let in_jiangsu = r
            .all()
            .iter()
            .filter(|x| x.tier == Tier::City && r.province_of(x) == jiangsu)
            .count();
        assert_eq!(in_jiangsu, 13);
        for x in r.all() {
            assert!(x.name.starts_with(x.short), "{}", x.name);
            assert!(
                x.pinyin.bytes().all(|b| b.is_ascii_lowercase()),
                "{}",
                x.name
            );
        }
    }

    #[test]
    fn jurisdictions_are_placed_in_their_city_or_province() {
        assert_eq!(place("连云港经济技术开发区"), Some("连云港市"));
        assert_eq!(place("连云港市"), Some("连云港市"));
        assert_eq!(place("南通市"), Some("南通市"));
        assert_eq!(place("江苏省"), Some("江苏省"));
        assert_eq!(place("江苏省南京市"), Some("南京市"));
        assert_eq!(place("苏州工业园区"), Some("苏州市"));
        assert_eq!(place("北京经济技术开发区"), Some("北京市"));
        assert_eq!(place("吉林经济技术开发区"), Some("吉林市"));
        assert_eq!(place("吉林省"), Some("吉林省"));
        assert_eq!(
            place("中国（江苏）自由贸易试验区连云港片区"),
            Some("连云港市")
        );
        assert_eq!(place("中国（江苏）自由贸易试验区"), Some("江苏省"));
        assert_eq!(place("全国"), None);
        assert_eq!(place("劳动部"), None);
    }

    #[test]
    fn names_short_names_and_pinyin_designate_regions() {
        let names = |n: &str| -> Vec<&str> { regions().named(n).iter().map(|r| r.name).collect() };
        assert_eq!(names("连云港"), ["连云港市"]);
        assert_eq!(names("Nantong"), ["南通市"]);
        assert_eq!(names("jiang su"), ["江苏省"]);
        assert_eq!(names("江苏省"), ["江苏省"]);
        assert_eq!(names("suzhou"), ["苏州市", "宿州市"]);
        assert_eq!(names("吉林"), ["吉林省", "吉林市"]);
        assert!(names("开发区").is_empty());
        let r = regions();
        let (js, lyg, hz) = (r.named("江苏")[0], r.named("连云港")[0], r.named("杭州")[0]);
        assert!(r.contains(js, lyg) && r.contains(lyg, lyg));
        assert!(!r.contains(js, hz) && !r.contains(lyg, js));
    }
}
