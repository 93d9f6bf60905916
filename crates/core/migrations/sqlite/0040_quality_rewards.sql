-- The company's reward/penalty table of quality audits (奖罚标准, seed 001): per position (岗位) what
-- a community's managers lose when its audit fails (≤ 79) and gain when it is excellent (≥ 91);
-- the row `team` holds the team bonus (≥ 96). Until a company saves its own, the seed's defaults
-- apply (项目经理 −500/+1000, 分管副经理 −400/+800, 部门主任 −300/+600, 班长 −100, team +3000).
CREATE TABLE quality_rewards (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    penalty_fen INTEGER NOT NULL,
    reward_fen INTEGER NOT NULL,
    UNIQUE (company_id, position)
);
