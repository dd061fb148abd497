from tests.conftest import FOREIGN_MARKER


def test_login_page_is_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.content.decode()


def test_people_list_is_scoped(as_user, home_person, foreign_person):
    body = as_user("unit_clerk").get("/orgs/people/").content.decode()
    assert "张三" in body
    assert FOREIGN_MARKER not in body
    body = as_user("fao_reviewer").get("/orgs/people/").content.decode()
    assert FOREIGN_MARKER in body
