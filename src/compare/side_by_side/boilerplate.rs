//! Boilerplate: the political formulae every policy document repeats
//! (以习近平新时代中国特色社会主义思想为指导, 深入贯彻落实…全会精神,
//! 新发展理念, 高质量发展…). They are rare per provision — one 指导思想
//! paragraph per document — so IDF alone weighs them *heavily*, and two
//! provisions quoting them would look parallel. Rows are formed on the text
//! with these formulae cut out; the display text is never changed.

use crate::corpus::Provision;
use crate::text::fold;

/// Formulae cut out before comparing (matching form; longer ones first
/// where one contains another).
pub const FORMULAE: &[&str] = &[
    "习近平新时代中国特色社会主义思想",
    "新时代中国特色社会主义",
    "习近平总书记",
    "习近平",
    "总书记",
    "党的二十大",
    "党的十九大",
    "二十大",
    "十九大",
    "十九届历次全会精神",
    "二十届历次全会精神",
    "历次全会精神",
    "二中、三中、四中、五中全会精神",
    "二中、三中全会精神",
    "全会精神",
    "十九届",
    "二十届",
    "重要讲话指示精神",
    "重要讲话精神",
    "重要指示精神",
    "重要讲话",
    "重要指示",
    "指示精神",
    "视察江苏",
    "深入贯彻落实",
    "全面贯彻落实",
    "认真贯彻落实",
    "贯彻落实",
    "完整准确全面贯彻",
    "全面贯彻",
    "深入贯彻",
    "认真贯彻",
    "认真落实",
    "牢固树立",
    "深入践行",
    "为指导",
    "为指引",
    "新发展理念",
    "新发展格局",
    "新发展阶段",
    "高质量发展",
    "党中央、国务院",
    "党中央",
    "省委、省政府",
    "省委省政府",
    "市委、市政府",
    "市委市政府",
    "决策部署",
    "部署要求",
    "以人民为中心",
    "四个全面",
    "五位一体",
    "稳中求进工作总基调",
    "统筹发展和安全",
    "社会主义现代化",
    "供给侧结构性改革",
];

/// `p` with the [`FORMULAE`] cut out of its (folded) heading and text, for
/// computing similarity only.
pub fn without_boilerplate(p: &Provision) -> Provision {
    let mut q = p.clone();
    q.text = strip(&fold(&p.text));
    q.heading = strip(&fold(&p.heading));
    q
}

/// `folded` with the [`FORMULAE`] replaced by a comma (so that no shared
/// run spans the cut).
pub fn strip_formulae(folded: &str) -> String {
    strip(folded)
}

fn strip(folded: &str) -> String {
    let mut s = folded.to_string();
    for f in FORMULAE {
        let f = fold(f);
        if s.contains(&f) {
            s = s.replace(&f, ",");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulae_are_cut_out() {
        let s = strip(&fold(
            "以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大精神，建设人才公寓。",
        ));
        assert!(!s.contains("习近平"), "{s}");
        assert!(!s.contains("贯彻"), "{s}");
        assert!(s.contains("建设人才公寓"), "{s}");
    }

    #[test]
    fn formulae_are_folded_like_text() {
        for f in FORMULAE {
            assert_eq!(&fold(f), f, "{f} is in matching form");
        }
    }
}
