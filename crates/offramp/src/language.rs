//! ISO 639 language codes and English names, normalised to ISO 639-3.

/// Normalises a language code to ISO 639-3 lower case: 639-1 codes are mapped, 639-2/B codes
/// turned into 639-3, locale tags (`es-MX`) cut to the language.
pub(crate) fn language_code(code: &str) -> Option<String> {
    let c = code.trim().to_lowercase();
    let primary = c.split(['-', '_']).next().unwrap_or("");
    if !primary.chars().all(|ch| ch.is_ascii_lowercase()) {
        return None;
    }
    match primary.len() {
        2 => ISO_639_1
            .iter()
            .find(|(two, _, _)| *two == primary)
            .map(|(_, three, _)| (*three).to_string()),
        3 => {
            if ["und", "mul", "zxx", "mis"].contains(&primary) {
                return None;
            }
            Some(
                BIBLIOGRAPHIC
                    .iter()
                    .find(|(b, _)| *b == primary)
                    .map_or(primary, |(_, t)| t)
                    .to_string(),
            )
        }
        _ => None,
    }
}

/// A language by its English name.
pub(crate) fn language_by_name(name: &str) -> Option<String> {
    let n = name.trim().to_lowercase();
    if let Some((_, code)) = LANGUAGE_NAMES.iter().find(|(k, _)| *k == n) {
        return Some((*code).to_string());
    }
    ISO_639_1
        .iter()
        .find(|(_, _, en)| en.to_lowercase() == n)
        .map(|(_, three, _)| (*three).to_string())
}

/// The English name of an ISO 639-3 code, for export.
pub(crate) fn language_name(code: &str) -> Option<&'static str> {
    ISO_639_1
        .iter()
        .find(|(_, three, _)| *three == code)
        .map(|(_, _, n)| *n)
        .or_else(|| {
            LANGUAGE_NAMES
                .iter()
                .find(|(_, c)| *c == code)
                .map(|(n, _)| *n)
        })
}

/// ISO 639-2/B codes and their 639-3 (639-2/T) equivalents.
pub(crate) const BIBLIOGRAPHIC: [(&str, &str); 20] = [
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// Common names US directories use that are not the ISO English names.
pub(crate) const LANGUAGE_NAMES: [(&str, &str); 24] = [
    ("american sign language", "ase"),
    ("asl", "ase"),
    ("mandarin", "cmn"),
    ("cantonese", "yue"),
    ("farsi", "fas"),
    ("haitian creole", "hat"),
    ("creole", "hat"),
    ("hmong", "hmn"),
    ("filipino", "fil"),
    ("punjabi", "pan"),
    ("dari", "prs"),
    ("karen", "kar"),
    ("chuukese", "chk"),
    ("cambodian", "khm"),
    ("laotian", "lao"),
    ("hawaiian", "haw"),
    ("ilocano", "ilo"),
    ("mixteco", "mix"),
    ("mixtec", "mix"),
    ("k'iche'", "quc"),
    ("tigrinya", "tir"),
    ("swahili", "swa"),
    ("pashto", "pus"),
    ("greek", "ell"),
];

pub(crate) const ISO_639_1: [(&str, &str, &str); 184] = [
    ("aa", "aar", "Afar"),
    ("ab", "abk", "Abkhazian"),
    ("ae", "ave", "Avestan"),
    ("af", "afr", "Afrikaans"),
    ("ak", "aka", "Akan"),
    ("am", "amh", "Amharic"),
    ("an", "arg", "Aragonese"),
    ("ar", "ara", "Arabic"),
    ("as", "asm", "Assamese"),
    ("av", "ava", "Avaric"),
    ("ay", "aym", "Aymara"),
    ("az", "aze", "Azerbaijani"),
    ("ba", "bak", "Bashkir"),
    ("be", "bel", "Belarusian"),
    ("bg", "bul", "Bulgarian"),
    ("bi", "bis", "Bislama"),
    ("bm", "bam", "Bambara"),
    ("bn", "ben", "Bengali"),
    ("bo", "bod", "Tibetan"),
    ("br", "bre", "Breton"),
    ("bs", "bos", "Bosnian"),
    ("ca", "cat", "Catalan"),
    ("ce", "che", "Chechen"),
    ("ch", "cha", "Chamorro"),
    ("co", "cos", "Corsican"),
    ("cr", "cre", "Cree"),
    ("cs", "ces", "Czech"),
    ("cu", "chu", "Church Slavic"),
    ("cv", "chv", "Chuvash"),
    ("cy", "cym", "Welsh"),
    ("da", "dan", "Danish"),
    ("de", "deu", "German"),
    ("dv", "div", "Dhivehi"),
    ("dz", "dzo", "Dzongkha"),
    ("ee", "ewe", "Ewe"),
    ("el", "ell", "Modern Greek"),
    ("en", "eng", "English"),
    ("eo", "epo", "Esperanto"),
    ("es", "spa", "Spanish"),
    ("et", "est", "Estonian"),
    ("eu", "eus", "Basque"),
    ("fa", "fas", "Persian"),
    ("ff", "ful", "Fulah"),
    ("fi", "fin", "Finnish"),
    ("fj", "fij", "Fijian"),
    ("fo", "fao", "Faroese"),
    ("fr", "fra", "French"),
    ("fy", "fry", "Western Frisian"),
    ("ga", "gle", "Irish"),
    ("gd", "gla", "Scottish Gaelic"),
    ("gl", "glg", "Galician"),
    ("gn", "grn", "Guarani"),
    ("gu", "guj", "Gujarati"),
    ("gv", "glv", "Manx"),
    ("ha", "hau", "Hausa"),
    ("he", "heb", "Hebrew"),
    ("hi", "hin", "Hindi"),
    ("ho", "hmo", "Hiri Motu"),
    ("hr", "hrv", "Croatian"),
    ("ht", "hat", "Haitian"),
    ("hu", "hun", "Hungarian"),
    ("hy", "hye", "Armenian"),
    ("hz", "her", "Herero"),
    ("ia", "ina", "Interlingua"),
    ("id", "ind", "Indonesian"),
    ("ie", "ile", "Interlingue"),
    ("ig", "ibo", "Igbo"),
    ("ii", "iii", "Sichuan Yi"),
    ("ik", "ipk", "Inupiaq"),
    ("io", "ido", "Ido"),
    ("is", "isl", "Icelandic"),
    ("it", "ita", "Italian"),
    ("iu", "iku", "Inuktitut"),
    ("ja", "jpn", "Japanese"),
    ("jv", "jav", "Javanese"),
    ("ka", "kat", "Georgian"),
    ("kg", "kon", "Kongo"),
    ("ki", "kik", "Kikuyu"),
    ("kj", "kua", "Kuanyama"),
    ("kk", "kaz", "Kazakh"),
    ("kl", "kal", "Kalaallisut"),
    ("km", "khm", "Khmer"),
    ("kn", "kan", "Kannada"),
    ("ko", "kor", "Korean"),
    ("kr", "kau", "Kanuri"),
    ("ks", "kas", "Kashmiri"),
    ("ku", "kur", "Kurdish"),
    ("kv", "kom", "Komi"),
    ("kw", "cor", "Cornish"),
    ("ky", "kir", "Kirghiz"),
    ("la", "lat", "Latin"),
    ("lb", "ltz", "Luxembourgish"),
    ("lg", "lug", "Ganda"),
    ("li", "lim", "Limburgan"),
    ("ln", "lin", "Lingala"),
    ("lo", "lao", "Lao"),
    ("lt", "lit", "Lithuanian"),
    ("lu", "lub", "Luba-Katanga"),
    ("lv", "lav", "Latvian"),
    ("mg", "mlg", "Malagasy"),
    ("mh", "mah", "Marshallese"),
    ("mi", "mri", "Maori"),
    ("mk", "mkd", "Macedonian"),
    ("ml", "mal", "Malayalam"),
    ("mn", "mon", "Mongolian"),
    ("mr", "mar", "Marathi"),
    ("ms", "msa", "Malay"),
    ("mt", "mlt", "Maltese"),
    ("my", "mya", "Burmese"),
    ("na", "nau", "Nauru"),
    ("nb", "nob", "Norwegian Bokmål"),
    ("nd", "nde", "North Ndebele"),
    ("ne", "nep", "Nepali"),
    ("ng", "ndo", "Ndonga"),
    ("nl", "nld", "Dutch"),
    ("nn", "nno", "Norwegian Nynorsk"),
    ("no", "nor", "Norwegian"),
    ("nr", "nbl", "South Ndebele"),
    ("nv", "nav", "Navajo"),
    ("ny", "nya", "Nyanja"),
    ("oc", "oci", "Occitan"),
    ("oj", "oji", "Ojibwa"),
    ("om", "orm", "Oromo"),
    ("or", "ori", "Oriya"),
    ("os", "oss", "Ossetian"),
    ("pa", "pan", "Panjabi"),
    ("pi", "pli", "Pali"),
    ("pl", "pol", "Polish"),
    ("ps", "pus", "Pushto"),
    ("pt", "por", "Portuguese"),
    ("qu", "que", "Quechua"),
    ("rm", "roh", "Romansh"),
    ("rn", "run", "Rundi"),
    ("ro", "ron", "Romanian"),
    ("ru", "rus", "Russian"),
    ("rw", "kin", "Kinyarwanda"),
    ("sa", "san", "Sanskrit"),
    ("sc", "srd", "Sardinian"),
    ("sd", "snd", "Sindhi"),
    ("se", "sme", "Northern Sami"),
    ("sg", "sag", "Sango"),
    ("sh", "hbs", "Serbo-Croatian"),
    ("si", "sin", "Sinhala"),
    ("sk", "slk", "Slovak"),
    ("sl", "slv", "Slovenian"),
    ("sm", "smo", "Samoan"),
    ("sn", "sna", "Shona"),
    ("so", "som", "Somali"),
    ("sq", "sqi", "Albanian"),
    ("sr", "srp", "Serbian"),
    ("ss", "ssw", "Swati"),
    ("st", "sot", "Southern Sotho"),
    ("su", "sun", "Sundanese"),
    ("sv", "swe", "Swedish"),
    ("sw", "swa", "Swahili"),
    ("ta", "tam", "Tamil"),
    ("te", "tel", "Telugu"),
    ("tg", "tgk", "Tajik"),
    ("th", "tha", "Thai"),
    ("ti", "tir", "Tigrinya"),
    ("tk", "tuk", "Turkmen"),
    ("tl", "tgl", "Tagalog"),
    ("tn", "tsn", "Tswana"),
    ("to", "ton", "Tonga"),
    ("tr", "tur", "Turkish"),
    ("ts", "tso", "Tsonga"),
    ("tt", "tat", "Tatar"),
    ("tw", "twi", "Twi"),
    ("ty", "tah", "Tahitian"),
    ("ug", "uig", "Uighur"),
    ("uk", "ukr", "Ukrainian"),
    ("ur", "urd", "Urdu"),
    ("uz", "uzb", "Uzbek"),
    ("ve", "ven", "Venda"),
    ("vi", "vie", "Vietnamese"),
    ("vo", "vol", "Volapük"),
    ("wa", "wln", "Walloon"),
    ("wo", "wol", "Wolof"),
    ("xh", "xho", "Xhosa"),
    ("yi", "yid", "Yiddish"),
    ("yo", "yor", "Yoruba"),
    ("za", "zha", "Zhuang"),
    ("zh", "zho", "Chinese"),
    ("zu", "zul", "Zulu"),
];
