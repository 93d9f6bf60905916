//! Invented but realistic data, the same on every run: surnames by their real frequency (so a
//! name prefix is as selective as in a real registry), valid mobile and ID numbers, unit numbers
//! laid out as in real buildings. Deterministic so two runs measure the same work.

use wuye_core::shared::values::IdNumber;

/// splitmix64: small, fast, deterministic (the same data on every run).
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The 100 commonest Chinese surnames with their approximate share (in 1/10,000 of the
/// population), so a surname prefix is as selective as in a real registry (王 ≈ 7 %).
const SURNAMES: [(&str, u32); 100] = [
    ("王", 712),
    ("李", 700),
    ("张", 674),
    ("刘", 510),
    ("陈", 461),
    ("杨", 322),
    ("黄", 245),
    ("赵", 219),
    ("吴", 205),
    ("周", 193),
    ("徐", 145),
    ("孙", 138),
    ("马", 129),
    ("朱", 128),
    ("胡", 116),
    ("郭", 113),
    ("何", 106),
    ("林", 101),
    ("高", 100),
    ("罗", 95),
    ("郑", 81),
    ("梁", 81),
    ("谢", 71),
    ("宋", 63),
    ("唐", 62),
    ("许", 60),
    ("韩", 58),
    ("冯", 56),
    ("邓", 55),
    ("曹", 54),
    ("彭", 51),
    ("曾", 50),
    ("肖", 49),
    ("田", 46),
    ("董", 45),
    ("袁", 42),
    ("潘", 42),
    ("于", 41),
    ("蒋", 40),
    ("蔡", 39),
    ("余", 38),
    ("杜", 37),
    ("叶", 36),
    ("程", 35),
    ("苏", 34),
    ("魏", 34),
    ("吕", 33),
    ("丁", 32),
    ("任", 31),
    ("沈", 30),
    ("姚", 29),
    ("卢", 29),
    ("姜", 28),
    ("崔", 27),
    ("钟", 27),
    ("谭", 26),
    ("陆", 25),
    ("汪", 25),
    ("范", 24),
    ("金", 24),
    ("石", 24),
    ("廖", 23),
    ("贾", 23),
    ("夏", 22),
    ("韦", 22),
    ("付", 21),
    ("方", 21),
    ("白", 20),
    ("邹", 20),
    ("孟", 19),
    ("熊", 19),
    ("秦", 19),
    ("邱", 18),
    ("江", 18),
    ("尹", 17),
    ("薛", 17),
    ("闫", 17),
    ("段", 16),
    ("雷", 16),
    ("侯", 15),
    ("龙", 15),
    ("史", 15),
    ("陶", 14),
    ("黎", 14),
    ("贺", 14),
    ("顾", 13),
    ("毛", 13),
    ("郝", 13),
    ("龚", 12),
    ("邵", 12),
    ("万", 12),
    ("钱", 11),
    ("严", 11),
    ("覃", 11),
    ("武", 11),
    ("戴", 10),
    ("莫", 10),
    ("孔", 10),
    ("向", 10),
    ("常", 10),
];

/// Common characters of given names.
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉志海春晓燕宇浩鹏辉飞林斌波宁欣琳婷雪梅俊峰亮成东新云龙佳慧颖萍荣凤莉鑫博睿子轩梓涵怡晨阳雨思嘉一欢瑞凯琪璐倩悦晶丹健帅昊天泽诗馨蕾可然源彬毅达辰航淑珍玲霖德永金福生军庆民光学忠立荣家祥振";

pub(super) struct Names {
    cum: Vec<u32>,
    total: u32,
    given: Vec<char>,
}

impl Names {
    pub(super) fn new() -> Names {
        let mut cum = Vec::with_capacity(SURNAMES.len());
        let mut total = 0;
        for (_, w) in SURNAMES {
            total += w;
            cum.push(total);
        }
        Names {
            cum,
            total,
            given: GIVEN.chars().collect(),
        }
    }
    /// A surname drawn by its frequency.
    pub(super) fn surname(&self, rng: &mut Rng) -> &'static str {
        let r = rng.below(u64::from(self.total)) as u32;
        let i = self
            .cum
            .partition_point(|&c| c <= r)
            .min(SURNAMES.len() - 1);
        SURNAMES[i].0
    }
    pub(super) fn given_char(&self, rng: &mut Rng) -> char {
        self.given[rng.below(self.given.len() as u64) as usize]
    }
    /// Surname + one (30 %) or two given characters.
    pub(super) fn with_surname(&self, rng: &mut Rng, surname: &str) -> String {
        let mut s = String::with_capacity(12);
        s.push_str(surname);
        s.push(self.given_char(rng));
        if rng.chance(70) {
            s.push(self.given_char(rng));
        }
        s
    }
    pub(super) fn name(&self, rng: &mut Rng) -> String {
        let s = self.surname(rng);
        self.with_surname(rng, s)
    }
}

/// The mobile number of person `i`: distinct for distinct `i` (below 800,000,000).
pub(super) fn phone_of(i: u64) -> String {
    const PREFIXES: [&str; 8] = ["139", "138", "137", "136", "135", "158", "186", "188"];
    let p = PREFIXES[(i % 8) as usize];
    // Multiplying by a number coprime with 10^8 permutes the 8-digit numbers.
    let n = (i / 8).wrapping_mul(7_919_333) % 100_000_000;
    format!("{p}{n:08}")
}

/// A valid resident ID number for person `i`, distinct for `i` below 16.8 million.
pub(super) fn id_number_of(i: u64) -> String {
    const REGIONS: [&str; 6] = ["110105", "310104", "440305", "330106", "510107", "420106"];
    let region = REGIONS[(i % 6) as usize];
    let seq = i % 1000;
    let rest = i / 1000;
    let year = 1950 + rest % 50;
    let month = 1 + (rest / 50) % 12;
    let day = 1 + (rest / 600) % 28;
    IdNumber::with_check_digit(&format!("{region}{year:04}{month:02}{day:02}{seq:03}"))
}

pub(super) const UNITS_PER_BUILDING: usize = 500;
pub(super) const UNITS_PER_FLOOR: usize = 20;

/// Floor and number ("1801") of the `k`-th unit of a building: 25 floors of 20 units.
pub(super) fn unit_no_of(k: usize) -> (i64, String) {
    let floor = k / UNITS_PER_FLOOR + 1;
    (
        floor as i64,
        format!("{floor}{:02}", k % UNITS_PER_FLOOR + 1),
    )
}
